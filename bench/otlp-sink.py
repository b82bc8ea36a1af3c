#!/usr/bin/env python3
"""A stand-in OTLP/HTTP collector for benchmarks: answers every POST with 200 and an empty
ExportTraceServiceResponse (an empty protobuf message), counts requests and bytes, keeps
nothing. Usage: bench/otlp-sink.py [port] (default 4318); SIGTERM prints the counts."""
import http.server
import signal
import sys

counts = {"requests": 0, "bytes": 0}


class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        counts["requests"] += 1
        counts["bytes"] += length
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def stop(*_):
    print(f"otlp-sink: {counts['requests']} exports, {counts['bytes']} bytes", flush=True)
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
port = int(sys.argv[1]) if len(sys.argv) > 1 else 4318
http.server.ThreadingHTTPServer(("127.0.0.1", port), Sink).serve_forever()
