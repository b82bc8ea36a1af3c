package dev.chatproxy.tracing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.chatproxy.support.ManualTicker;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.ProxyClient;
import dev.chatproxy.support.ProxyIntegrationTest;
import dev.chatproxy.support.UpstreamGate;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.micrometer.tracing.test.autoconfigure.AutoConfigureTracing;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The span tree of a request, from the caller's {@code traceparent} to postpress, as the
 * application exports it (to an in-memory exporter: export over OTLP itself is
 * {@code FleetTracingIntegrationTests}' business): a hit, a miss, retries, a collapsed
 * burst, stale-if-error, a webhook and its invalidation; and nothing secret in any span
 * or log line.
 */
@ProxyIntegrationTest
@AutoConfigureTracing
@Import(SpanRecorder.class)
@TestPropertySource(properties = { "management.tracing.sampling.probability=1.0",
		"management.opentelemetry.tracing.export.schedule-delay=20ms",
		"proxy.webhook.secret=" + TracingIntegrationTests.WEBHOOK_SECRET })
@ExtendWith(OutputCaptureExtension.class)
class TracingIntegrationTests {

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	static final String WEBHOOK_SECRET = "wh_s3cret_for_tracing_tests";

	static final String ATTENDEE = "att_traced_01";

	static final String PATH = "/attendees/" + ATTENDEE + "/chats";

	static final String BEARER = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0cmFjZWQifQ.c2lnbmVk";

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@Autowired
	InMemorySpanExporter spans;

	@Autowired
	ManualTicker ticker;

	@Autowired
	MeterRegistry meters;

	ProxyClient proxy;

	@BeforeEach
	void setUp() {
		this.proxy = new ProxyClient(this.port);
		this.spans.reset();
	}

	@Test
	void hitHasTheRequestSpanAndALocalHitLookup() {
		Postpress.server().stubFor(Postpress.chats().willReturn(Postpress.page(2, null)));
		assertThat(this.proxy.get(PATH).statusCode()).isEqualTo(200);
		String traceId = traceId();

		HttpResponse<String> hit = this.proxy.get(PATH, "traceparent", traceparent(traceId));

		assertThat(hit.headers().firstValue("Cache-Status")).hasValue("chat-proxy; hit; ttl=30");
		List<SpanData> trace = SpanRecorder.trace(this.spans, traceId, TracingIntegrationTests::isServer);
		SpanData server = only(trace, TracingIntegrationTests::isServer);
		assertThat(server.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
		assertThat(SpanRecorder.attribute(server, "uri")).isEqualTo("/attendees/{attendee_id}/chats");
		assertThat(SpanRecorder.attribute(server, "status")).isEqualTo("200");
		assertThat(SpanRecorder.attribute(server, "http.response.header.cache-status"))
			.isEqualTo("chat-proxy; hit; ttl=30");
		SpanData lookup = only(trace, (span) -> span.getName().equals("cache lookup"));
		assertThat(lookup.getParentSpanId()).isEqualTo(server.getSpanId());
		assertThat(SpanRecorder.attribute(lookup, "cache.result")).isEqualTo("hit");
		assertThat(SpanRecorder.attribute(lookup, "cache.tier")).isEqualTo("local");
		assertThat(trace).noneMatch((span) -> span.getKind() == SpanKind.CLIENT);
	}

	@Test
	void missFetchesUnderItsLookupAndPassesTheTraceOn() {
		Postpress.server().stubFor(Postpress.chats().willReturn(Postpress.page(2, null)));
		String traceId = traceId();

		this.proxy.get(PATH, "traceparent", traceparent(traceId));

		assertThat(upstreamTraceparents()).singleElement().asString().startsWith("00-" + traceId + "-");
		List<SpanData> trace = SpanRecorder.trace(this.spans, traceId, TracingIntegrationTests::isServer);
		SpanData server = only(trace, TracingIntegrationTests::isServer);
		assertThat(SpanRecorder.attribute(server, "http.response.header.cache-status"))
			.isEqualTo("chat-proxy; fwd=uri-miss; stored");
		SpanData lookup = only(trace, (span) -> span.getName().equals("cache lookup")
				&& SpanRecorder.attribute(span, "cache.tier").equals("upstream"));
		assertThat(SpanRecorder.attribute(lookup, "cache.result")).isEqualTo("miss");
		SpanData fetch = only(trace, (span) -> span.getName().equals("cache fetch"));
		assertThat(fetch.getParentSpanId()).isEqualTo(lookup.getSpanId());
		SpanData attempt = only(trace, (span) -> span.getKind() == SpanKind.CLIENT);
		assertThat(attempt.getParentSpanId()).isEqualTo(fetch.getSpanId());
		assertThat(SpanRecorder.attribute(attempt, "chatproxy.upstream.attempt")).isEqualTo("1");
		assertThat(SpanRecorder.attribute(attempt, "status")).isEqualTo("200");
		// the pause and budget were asked before the attempt, under the same fetch
		SpanData admission = only(trace, (span) -> span.getName().equals("upstream admission"));
		assertThat(admission.getParentSpanId()).isEqualTo(fetch.getSpanId());
		assertThat(SpanRecorder.attribute(admission, "chatproxy.upstream.admission")).isEqualTo("admitted");
		assertThat(admission.getEndEpochNanos()).isLessThanOrEqualTo(attempt.getStartEpochNanos());
		// the upstream's span is the parent postpress was told of
		assertThat(upstreamTraceparents().get(0)).isEqualTo("00-" + traceId + "-" + attempt.getSpanId() + "-01");
	}

	@Test
	void everyRetryCarriesTheCallersTraceAndHasItsOwnSpan() {
		String traceId = traceId();
		sequence(aResponse().withStatus(503).withHeader("Retry-After", "0"), aResponse().withStatus(503),
				Postpress.page(2, null));

		HttpResponse<String> response = this.proxy.get(PATH, "traceparent", traceparent(traceId));

		assertThat(response.statusCode()).isEqualTo(200);
		List<SpanData> trace = SpanRecorder.trace(this.spans, traceId, TracingIntegrationTests::isServer);
		SpanData fetch = only(trace, (span) -> span.getName().equals("cache fetch"));
		List<SpanData> attempts = new ArrayList<>(
				trace.stream().filter((span) -> span.getKind() == SpanKind.CLIENT).toList());
		attempts.sort((a, b) -> Long.compare(a.getStartEpochNanos(), b.getStartEpochNanos()));
		assertThat(attempts).extracting((span) -> SpanRecorder.attribute(span, "chatproxy.upstream.attempt"))
			.containsExactly("1", "2", "3");
		assertThat(attempts).extracting((span) -> SpanRecorder.attribute(span, "status"))
			.containsExactly("503", "503", "200");
		assertThat(SpanRecorder.attribute(attempts.get(0), "http.response.header.retry-after")).isEqualTo("0");
		assertThat(attempts).allSatisfy((span) -> assertThat(span.getParentSpanId()).isEqualTo(fetch.getSpanId()));
		// each attempt was admitted on its own (pause and budget asked again)
		assertThat(trace).filteredOn((span) -> span.getName().equals("upstream admission"))
			.hasSize(3)
			.allSatisfy((span) -> {
				assertThat(span.getParentSpanId()).isEqualTo(fetch.getSpanId());
				assertThat(SpanRecorder.attribute(span, "chatproxy.upstream.admission")).isEqualTo("admitted");
			});
		List<String> sent = upstreamTraceparents();
		assertThat(sent).hasSize(3);
		assertThat(sent).allSatisfy((traceparent) -> assertThat(traceparent).startsWith("00-" + traceId + "-"));
		assertThat(sent).containsExactlyInAnyOrderElementsOf(
				attempts.stream().map((span) -> "00-" + traceId + "-" + span.getSpanId() + "-01").toList());
	}

	@Test
	void collapsedBurstMakesOneUpstreamSpanAndEveryWaiterLinksToIt() throws Exception {
		Postpress.server()
			.stubFor(Postpress.chats().willReturn(Postpress.page(1, null).withTransformers(UpstreamGate.NAME)));
		UpstreamGate gate = Postpress.gate();
		gate.close();
		double collapsedBefore = collapsed();
		int burst = 5;
		List<String> traceIds = new ArrayList<>();
		List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
		ExecutorService callers = Executors.newFixedThreadPool(burst);
		try {
			for (int i = 0; i < burst; i++) {
				String traceId = traceId();
				traceIds.add(traceId);
				responses.add(CompletableFuture
					.supplyAsync(() -> this.proxy.get(PATH, "traceparent", traceparent(traceId)), callers));
			}
			await().atMost(Duration.ofSeconds(30))
				.until(() -> gate.arrived() == 1 && collapsed() - collapsedBefore == burst - 1);
			gate.release();
			for (CompletableFuture<HttpResponse<String>> response : responses) {
				assertThat(response.get().statusCode()).isEqualTo(200);
			}
		}
		finally {
			callers.shutdownNow();
		}

		List<SpanData> all = new ArrayList<>();
		traceIds.forEach(
				(traceId) -> all.addAll(SpanRecorder.trace(this.spans, traceId, TracingIntegrationTests::isServer)));
		SpanData attempt = only(all, (span) -> span.getKind() == SpanKind.CLIENT);
		SpanData fetch = only(all, (span) -> span.getName().equals("cache fetch"));
		assertThat(attempt.getParentSpanId()).isEqualTo(fetch.getSpanId());
		List<SpanData> waits = all.stream().filter((span) -> span.getName().equals("cache collapsed")).toList();
		assertThat(waits).hasSize(burst - 1);
		assertThat(waits).allSatisfy((wait) -> {
			assertThat(wait.getLinks()).extracting(LinkData::getSpanContext)
				.singleElement()
				.satisfies((linked) -> assertThat(linked.getSpanId()).isEqualTo(fetch.getSpanId()));
			assertThat(wait.getTraceId()).isNotEqualTo(fetch.getTraceId());
		});
		assertThat(all.stream().filter((span) -> "collapsed".equals(SpanRecorder.attribute(span, "cache.result"))))
			.hasSize(burst - 1);
	}

	@Test
	void staleIfErrorAnswerIsItsLookupsResult() {
		Postpress.server().stubFor(Postpress.chats().willReturn(Postpress.page(2, null)));
		assertThat(this.proxy.get(PATH).statusCode()).isEqualTo(200);
		this.ticker.advance(Duration.ofSeconds(61));
		Postpress.server().resetAll();
		Postpress.server().stubFor(Postpress.chats().willReturn(aResponse().withStatus(503)));
		String traceId = traceId();

		HttpResponse<String> stale = this.proxy.get(PATH, "traceparent", traceparent(traceId));

		assertThat(stale.statusCode()).isEqualTo(200);
		assertThat(stale.headers().firstValue("Cache-Status").orElseThrow()).endsWith("detail=stale-if-error");
		List<SpanData> trace = SpanRecorder.trace(this.spans, traceId, (span) -> span.getName().equals("cache fetch"));
		SpanData lookup = only(trace, (span) -> span.getName().equals("cache lookup")
				&& "stale-if-error".equals(SpanRecorder.attribute(span, "cache.result")));
		assertThat(SpanRecorder.attribute(lookup, "cache.tier")).isEqualTo("local");
		assertThat(trace).filteredOn((span) -> span.getKind() == SpanKind.CLIENT)
			.allSatisfy((span) -> assertThat(SpanRecorder.attribute(span, "status")).isEqualTo("503"));
	}

	@Test
	void webhookSpanHasItsInvalidationAsChild() {
		Postpress.server().stubFor(Postpress.chats().willReturn(Postpress.page(2, null)));
		assertThat(this.proxy.get(PATH).statusCode()).isEqualTo(200);
		String traceId = traceId();

		HttpResponse<String> accepted = webhook(traceId, """
				{"event": "message_received", "chat_id": "chat_x", "message": "Hello there",
				 "attendees": [{"attendee_id": "%s"}]}""".formatted(ATTENDEE));

		assertThat(accepted.statusCode()).isEqualTo(200);
		List<SpanData> trace = SpanRecorder.trace(this.spans, traceId,
				(span) -> span.getName().equals("webhook invalidation"));
		SpanData server = only(trace, TracingIntegrationTests::isServer);
		assertThat(SpanRecorder.attribute(server, "uri")).isEqualTo("/webhooks/postpress");
		SpanData invalidation = only(trace, (span) -> span.getName().equals("webhook invalidation"));
		assertThat(invalidation.getParentSpanId()).isEqualTo(server.getSpanId());
		assertThat(SpanRecorder.attribute(invalidation, "webhook.event")).isEqualTo("message_received");
		assertThat(SpanRecorder.attribute(invalidation, "chatproxy.invalidation.pages_marked")).isEqualTo("1");
	}

	/**
	 * A bucket keeps its exemplar for a while (Prometheus' client rate-limits them), so
	 * another test's trace may be the one shown: any sampled trace id will do.
	 */
	@Test
	void latencyHistogramsCarryTraceExemplarsInOpenMetrics() {
		Postpress.server().stubFor(Postpress.chats().willReturn(Postpress.page(2, null)));
		String traceId = traceId();

		this.proxy.get(PATH, "traceparent", traceparent(traceId));

		SpanRecorder.trace(this.spans, traceId, TracingIntegrationTests::isServer);
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			String scrape = new ProxyClient(this.managementPort)
				.get("/actuator/prometheus", "Accept", "application/openmetrics-text; version=1.0.0")
				.body();
			assertThat(scrape.lines()
				.filter((line) -> line.startsWith("http_server_requests_seconds_bucket") && line.contains(" # {")))
				.anySatisfy((line) -> assertThat(line).containsPattern("trace_id=\"[0-9a-f]{32}\""));
			assertThat(scrape.lines()
				.filter((line) -> line.startsWith("http_client_requests_seconds_bucket") && line.contains(" # {")))
				.anySatisfy((line) -> assertThat(line).containsPattern("trace_id=\"[0-9a-f]{32}\""));
		});
	}

	@Test
	void noSpanAndNoLogLineHoldsTheKeyATokenIdsOrContent(CapturedOutput output) {
		Postpress.server().stubFor(Postpress.chats().willReturn(Postpress.page(2, null)));
		sequence(aResponse().withStatus(500), Postpress.page(2, null));
		String traceId = traceId();

		this.proxy.get(PATH + "?account_id=acc_traced_02", "traceparent", traceparent(traceId), "Authorization",
				"Bearer " + BEARER);
		webhook(traceId, "{\"event\": \"message_received\", \"chat_id\": \"chat_x\", \"message\": \"Hello there\"}");

		List<SpanData> trace = SpanRecorder.trace(this.spans, traceId,
				(span) -> span.getName().equals("webhook invalidation"));
		assertThat(trace).hasSizeGreaterThan(5);
		for (SpanData span : this.spans.getFinishedSpanItems()) {
			assertThat(span.toString()).doesNotContain(Postpress.API_KEY, BEARER, WEBHOOK_SECRET, ATTENDEE,
					"acc_traced_02", "Hello there");
		}
		// every line of the request carries its trace id: the access log's too
		await().atMost(Duration.ofSeconds(10))
			.until(() -> output.getOut().lines().anyMatch((line) -> line.contains(traceId) && line.contains(PATH)));
		assertThat(output.getAll()).doesNotContain(Postpress.API_KEY, BEARER, WEBHOOK_SECRET);
	}

	private HttpResponse<String> webhook(String traceId, String body) {
		HttpRequest request = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/webhooks/postpress"))
			.header("traceparent", traceparent(traceId))
			.header("X-Webhook-Secret", WEBHOOK_SECRET)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build();
		try {
			return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private double collapsed() {
		return this.meters.get("chatproxy.cache.collapsed").counter().count();
	}

	private static List<String> upstreamTraceparents() {
		List<LoggedRequest> calls = Postpress.server().findAll(WireMock.anyRequestedFor(WireMock.anyUrl()));
		return calls.stream().map((call) -> call.getHeader("traceparent")).toList();
	}

	private static boolean isServer(SpanData span) {
		return span.getKind() == SpanKind.SERVER;
	}

	private static SpanData only(List<SpanData> spans, java.util.function.Predicate<SpanData> filter) {
		List<SpanData> matching = spans.stream().filter(filter).toList();
		assertThat(matching).as("%s", spans).hasSize(1);
		return matching.get(0);
	}

	static String traceId() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		return "%016x%016x".formatted(random.nextLong(), random.nextLong());
	}

	static String traceparent(String traceId) {
		return "00-" + traceId + "-00f067aa0ba902b7-01";
	}

	private static void sequence(ResponseDefinitionBuilder... answers) {
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
