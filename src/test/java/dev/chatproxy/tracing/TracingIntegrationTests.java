package dev.chatproxy.tracing;

import java.net.http.HttpResponse;
import java.util.List;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.ProxyClient;
import dev.chatproxy.support.ProxyIntegrationTest;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.micrometer.tracing.test.autoconfigure.AutoConfigureTracing;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The spans of a request, from the caller's {@code traceparent} to postpress, as the
 * application exports them (to an in-memory exporter: export itself is
 * {@link OtlpExportIntegrationTests}' business).
 */
@ProxyIntegrationTest
@AutoConfigureTracing
@Import(SpanRecorder.class)
@TestPropertySource(properties = { "management.tracing.sampling.probability=1.0",
		"management.opentelemetry.tracing.export.schedule-delay=20ms" })
class TracingIntegrationTests {

	static final String ATTENDEE = "att_trace";

	static final String PATH = "/attendees/" + ATTENDEE + "/chats";

	@LocalServerPort
	int port;

	@Autowired
	InMemorySpanExporter spans;

	ProxyClient proxy;

	@BeforeEach
	void setUp() {
		this.proxy = new ProxyClient(this.port);
		this.spans.reset();
	}

	@Test
	void everyRetryCarriesTheCallersTraceAndHasItsOwnSpan() {
		String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
		sequence(aResponse().withStatus(503).withHeader("Retry-After", "0"), aResponse().withStatus(503),
				Postpress.page(2, null));
		HttpResponse<String> response = this.proxy.get(PATH, "traceparent", "00-" + traceId + "-00f067aa0ba902b7-01");
		assertThat(response.statusCode()).isEqualTo(200);
		List<LoggedRequest> calls = Postpress.server().findAll(WireMock.anyRequestedFor(WireMock.anyUrl()));
		assertThat(calls).hasSize(3);
		assertThat(calls).allSatisfy((call) -> assertThat(call.getHeader("traceparent")).startsWith("00-" + traceId));
		List<SpanData> trace = SpanRecorder.trace(this.spans, traceId, (span) -> span.getKind() == SpanKind.SERVER);
		List<SpanData> attempts = trace.stream().filter((span) -> span.getKind() == SpanKind.CLIENT).toList();
		trace.forEach((span) -> System.out.println(span.getName() + " " + span.getKind() + " " + span.getSpanId()
				+ " <- " + span.getParentSpanId() + " " + SpanRecorder.attributes(span)));
		assertThat(attempts).hasSize(3);
	}

	private static void sequence(com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder... answers) {
		String state = Scenario.STARTED;
		for (int i = 0; i < answers.length; i++) {
			String next = "answer " + (i + 1);
			Postpress.server()
				.stubFor(Postpress.chats()
					.inScenario("sequence")
					.whenScenarioStateIs(state)
					.willReturn(answers[i])
					.willSetStateTo(next));
			state = next;
		}
	}

}
