#!/usr/bin/env python3
"""A postpress stand-in for the memory scenario: every attendee gets a distinct page of
about PAGE_BYTES (250 chats with long subjects), so that every request is a new cache entry."""
import json, sys
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

port, page_bytes = int(sys.argv[1]), int(sys.argv[2])
subject = "s" * max(1, page_bytes // 250 - 420)

def page(attendee):
    items = [{"object": "Chat", "id": f"chat_{attendee}_{i}", "account_id": "acc_1", "account_type": "LINKEDIN",
              "provider_id": f"urn:li:{i}", "attendee_provider_id": attendee, "name": f"Contact {i}", "type": 0,
              "timestamp": "2026-05-16T18:24:11.000Z", "unread_count": i, "archived": 0, "muted_until": None,
              "read_only": 0, "pinned": 0, "subject": subject, "folder": ["INBOX"]} for i in range(250)]
    return json.dumps({"object": "ChatList", "items": items, "cursor": None}).encode()

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        attendee = self.path.split("/")[-2]
        body = page(attendee)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass

ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
