package dev.chatproxy.tracing;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

import static org.awaitility.Awaitility.await;

/**
 * The spans the application exported, kept in memory: registered as a span exporter
 * beside any other, so that Spring Boot's batch processor hands it every sampled span.
 */
@TestConfiguration(proxyBeanMethods = false)
public class SpanRecorder {

	/** Test properties: every trace sampled, batches sent at once. */
	public static final String[] PROPERTIES = { "management.tracing.sampling.probability=1.0",
			"management.opentelemetry.tracing.export.schedule-delay=20ms" };

	@Bean
	InMemorySpanExporter inMemorySpanExporter() {
		return InMemorySpanExporter.create();
	}

	/**
	 * Waits until a span of the trace matches, then returns all the trace's spans.
	 * @param exporter the recorder
	 * @param traceId the trace
	 * @param last the span to wait for (usually the inbound request's, which ends last)
	 * @return the trace's spans
	 */
	static List<SpanData> trace(InMemorySpanExporter exporter, String traceId, Predicate<SpanData> last) {
		await().atMost(Duration.ofSeconds(20))
			.until(() -> exporter.getFinishedSpanItems()
				.stream()
				.anyMatch((span) -> span.getTraceId().equals(traceId) && last.test(span)));
		return exporter.getFinishedSpanItems().stream().filter((span) -> span.getTraceId().equals(traceId)).toList();
	}

	static String attribute(SpanData span, String name) {
		return span.getAttributes().get(AttributeKey.stringKey(name));
	}

	static Map<String, String> attributes(SpanData span) {
		java.util.Map<String, String> all = new java.util.TreeMap<>();
		span.getAttributes().forEach((key, value) -> all.put(key.getKey(), String.valueOf(value)));
		return all;
	}

}
