package dev.chatproxy.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A small OpenTelemetry collector for tests: OTLP/HTTP with protobuf on a random loopback
 * port, decoding each export with the official OpenTelemetry protobuf classes and keeping
 * the spans.
 */
public final class OtlpReceiver implements BeforeAllCallback, AfterAllCallback {

	private final List<Span> spans = new CopyOnWriteArrayList<>();

	private final List<ExportTraceServiceRequest> requests = new CopyOnWriteArrayList<>();

	private HttpServer server;

	@Override
	public void beforeAll(ExtensionContext context) throws IOException {
		this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		this.server.createContext("/v1/traces", this::receive);
		this.server.start();
	}

	@Override
	public void afterAll(ExtensionContext context) {
		this.server.stop(0);
	}

	/**
	 * The URL to configure as
	 * {@code management.opentelemetry.tracing.export.otlp.endpoint}.
	 * @return the traces endpoint
	 */
	public String endpoint() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort() + "/v1/traces";
	}

	/**
	 * Every span received so far.
	 * @return the spans
	 */
	public List<Span> spans() {
		return List.copyOf(this.spans);
	}

	/**
	 * Every export request received so far, resources included.
	 * @return the requests
	 */
	public List<ExportTraceServiceRequest> requests() {
		return List.copyOf(this.requests);
	}

	/**
	 * The spans of one trace.
	 * @param traceId the trace id, in lower-case hex
	 * @return its spans
	 */
	public List<Span> trace(String traceId) {
		return this.spans.stream().filter((span) -> hex(span.getTraceId().toByteArray()).equals(traceId)).toList();
	}

	/**
	 * A span's attribute as a string, or {@code null}.
	 * @param span the span
	 * @param key the attribute
	 * @return its value
	 */
	public static String attribute(Span span, String key) {
		for (KeyValue attribute : span.getAttributesList()) {
			if (attribute.getKey().equals(key)) {
				return attribute.getValue().getStringValue();
			}
		}
		return null;
	}

	/**
	 * Lower-case hex of an id.
	 * @param id the id's bytes
	 * @return the hex
	 */
	public static String hex(byte[] id) {
		return HexFormat.of().formatHex(id);
	}

	private void receive(HttpExchange exchange) throws IOException {
		try (InputStream body = exchange.getRequestBody()) {
			ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body.readAllBytes());
			this.requests.add(request);
			for (ResourceSpans resource : request.getResourceSpansList()) {
				for (ScopeSpans scope : resource.getScopeSpansList()) {
					this.spans.addAll(scope.getSpansList());
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			exchange.sendResponseHeaders(400, -1);
			exchange.close();
			throw (ex instanceof IOException io) ? new UncheckedIOException(io) : (RuntimeException) ex;
		}
		byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
		exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
		exchange.sendResponseHeaders(200, answer.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(answer);
		}
	}

}
