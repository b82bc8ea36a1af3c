package dev.chatproxy.upstream;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.ProxyClient;
import dev.chatproxy.support.ProxyIntegrationTest;
import dev.chatproxy.support.UpstreamGate;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The resilience of the upstream path (CONTRACT.md section 6), end to end: the whole
 * application on random ports in front of the fake postpress, with test-sized backoff, a
 * breaker that opens after 4 failures and stays open for 5 s (the tests move it to
 * half-open themselves), and a bulkhead of 2. The timeouts are tested with shorter ones
 * in {@link ResilienceTimeoutIntegrationTests}.
 */
@ProxyIntegrationTest
@TestPropertySource(properties = { "resilience4j.circuitbreaker.configs.default.wait-duration-in-open-state=5s",
		"resilience4j.bulkhead.configs.default.max-concurrent-calls=2",
		// the stale copies here are served because postpress fails, not while
		// revalidating
		"proxy.cache.stale-while-revalidate=0" })
class ResilienceIntegrationTests {

	private static final WireMockServer postpress = Postpress.server();

	private static final AtomicInteger attendees = new AtomicInteger();

	private static final ExecutorService callers = Executors.newFixedThreadPool(4);

	@Autowired
	ProxyClient proxy;

	@Autowired
	CircuitBreakerRegistry circuitBreakers;

	@Autowired
	BulkheadRegistry bulkheads;

	@AfterAll
	static void stopCallers() {
		callers.shutdownNow();
	}

	static Stream<Arguments> transientFailures() {
		return Stream.of(Arguments.of("503", failure(() -> Postpress.error(503, "errors/service_unavailable"))),
				Arguments.of("500", failure(() -> Postpress.error(500, "errors/unexpected_error"))),
				Arguments.of("504", failure(() -> Postpress.error(504, "errors/request_timeout"))),
				Arguments.of("connection reset", failure(() -> aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER))),
				Arguments.of("empty response", failure(() -> aResponse().withFault(Fault.EMPTY_RESPONSE))));
	}

	private static Supplier<ResponseDefinitionBuilder> failure(Supplier<ResponseDefinitionBuilder> failure) {
		return failure;
	}

	@ParameterizedTest(name = "{0}, {0}, 200")
	@MethodSource("transientFailures")
	void retriesTransientFailuresUntilPostpressAnswers(String name, Supplier<ResponseDefinitionBuilder> failure) {
		stubSequence(failure.get(), failure.get(), Postpress.page(2, null));
		HttpResponse<String> response = getChats(nextAttendee());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).contains("\"chat_1\"");
		assertThat(upstreamCalls()).isEqualTo(3);
	}

	@Test
	void answersThePostpressEnvelopeAfterThreeAttemptsWhenA500Persists() {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.error(500, "errors/provider_error")));
		HttpResponse<String> response = getChats(nextAttendee());
		JsonNode body = assertProblem(response, 500, "errors/provider_error");
		assertThat(body.path("title").asString()).isEqualTo("Title of errors/provider_error");
		assertThat(body.path("detail").asString()).isEqualTo("Detail of errors/provider_error");
		assertThat(upstreamCalls()).isEqualTo(3);
	}

	@ParameterizedTest
	@MethodSource("refusals")
	void neverRetriesARefusal(int status, String type) {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.error(status, type)));
		HttpResponse<String> response = getChats(nextAttendee());
		assertProblem(response, status, type);
		assertThat(upstreamCalls()).isEqualTo(1);
		assertThat(breaker().getMetrics().getNumberOfFailedCalls()).isZero();
	}

	static Stream<Arguments> refusals() {
		return Stream.of(Arguments.of(401, "errors/expired_credentials"),
				Arguments.of(403, "errors/account_restricted"), Arguments.of(404, "errors/resource_not_found"),
				Arguments.of(429, "errors/too_many_requests"));
	}

	@Test
	void passesOnTheRetryAfterOfA429WithoutRetrying() {
		postpress.stubFor(Postpress.chats()
			.willReturn(Postpress.error(429, "errors/too_many_requests").withHeader("Retry-After", "7")));
		HttpResponse<String> response = getChats(nextAttendee());
		assertProblem(response, 429, "errors/too_many_requests");
		assertThat(response.headers().firstValue("Retry-After")).hasValue("7");
		assertThat(upstreamCalls()).isEqualTo(1);
	}

	@Test
	void waitsAsLongAsRetryAfterAsksBeforeRetrying() {
		stubSequence(Postpress.error(503, "errors/service_unavailable").withHeader("Retry-After", "1"),
				Postpress.page(1, null));
		HttpResponse<String> response = getChats(nextAttendee());
		assertThat(response.statusCode()).isEqualTo(200);
		List<Long> times = postpress.getAllServeEvents()
			.stream()
			.map((event) -> event.getRequest().getLoggedDate().getTime())
			.sorted(Comparator.naturalOrder())
			.toList();
		assertThat(times).hasSize(2);
		long gapMillis = times.get(1) - times.get(0);
		// at least what postpress asked for; how much longer depends on the machine
		assertThat(gapMillis).isGreaterThanOrEqualTo(1000L);
	}

	@Test
	void opensTheBreakerAfterRepeatedFailuresAndClosesItAfterAHealthyProbe() {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.error(503, "errors/no_client_session")));
		// the breaker counts requests: three that failed every attempt leave it closed
		for (int i = 0; i < 3; i++) {
			assertProblem(getChats(nextAttendee()), 503, "errors/no_client_session");
			assertThat(breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
		}
		// the 4th failed request opens it (window of 4 in these tests)
		assertProblem(getChats(nextAttendee()), 503, "errors/no_client_session");
		assertThat(breaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
		assertThat(breaker().getMetrics().getNumberOfFailedCalls()).isEqualTo(4);
		assertThat(upstreamCalls()).isEqualTo(12);
		postpress.resetRequests();

		HttpResponse<String> refused = getChats(nextAttendee());
		assertProblem(refused, 503, "errors/service_unavailable");
		assertThat(refused.headers().firstValue("Retry-After"))
			.hasValueSatisfying((retryAfter) -> assertThat(Integer.parseInt(retryAfter)).isBetween(1, 5));
		// answered without calling postpress, and without waiting for the breaker to
		// let a probe through
		assertThat(upstreamCalls()).isZero();

		postpress.resetAll();
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(1, null)));
		// what the wait in the open state leads to, without waiting for it on the clock
		breaker().transitionToHalfOpenState();
		int probes = this.circuitBreakers.circuitBreaker("postpress")
			.getCircuitBreakerConfig()
			.getPermittedNumberOfCallsInHalfOpenState();
		for (int i = 0; i < probes; i++) {
			assertThat(getChats(nextAttendee()).statusCode()).isEqualTo(200);
		}
		assertThat(breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
		assertThat(upstreamCalls()).isEqualTo(probes);
	}

	@Test
	void neverOpensTheBreakerOnNotFound() {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.error(404, "errors/resource_not_found")));
		for (int i = 0; i < 20; i++) {
			assertProblem(getChats(nextAttendee()), 404, "errors/resource_not_found");
		}
		assertThat(upstreamCalls()).isEqualTo(20);
		assertThat(breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
		assertThat(breaker().getMetrics().getNumberOfFailedCalls()).isZero();
		assertThat(breaker().getMetrics().getNumberOfNotPermittedCalls()).isZero();
	}

	@Test
	void neverOpensTheBreakerOnClientErrorsPostpressDoesNotDocument() {
		List<ResponseDefinitionBuilder> answers = List.of(WireMock.notFound().withBody("Not Found"),
				Postpress.error(400, "errors/invalid_parameters"), WireMock.aResponse().withStatus(422));
		for (int i = 0; i < 8; i++) {
			postpress.stubFor(Postpress.chats().willReturn(answers.get(i % answers.size())));
			assertProblem(getChats(nextAttendee()), 502, "errors/bad_upstream_response");
		}
		assertThat(upstreamCalls()).isEqualTo(8);
		assertThat(breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
		assertThat(breaker().getMetrics().getNumberOfFailedCalls()).isZero();
	}

	@Test
	void servesAStaleCopyWhileTheBreakerIsOpen() {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(3, "next")));
		String attendee = nextAttendee();
		HttpResponse<String> stored = getChats(attendee);
		assertThat(stored.statusCode()).isEqualTo(200);
		assertThat(stored.headers().firstValue("Cache-Status")).hasValue("chat-proxy; fwd=uri-miss; stored");
		this.proxy.ticker().advance(Duration.ofSeconds(45));
		breaker().transitionToOpenState();

		HttpResponse<String> stale = getChats(attendee);
		assertThat(stale.statusCode()).isEqualTo(200);
		assertThat(stale.body()).isEqualTo(stored.body());
		assertThat(stale.headers().firstValue("Cache-Status"))
			.hasValue("chat-proxy; hit; ttl=-15; detail=stale-if-error");
		assertThat(upstreamCalls()).isEqualTo(1);
	}

	@Test
	void refusesACallBeyondTheBulkheadWithoutWaitingForAPermit() throws Exception {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(1, null).withTransformers(UpstreamGate.NAME)));
		UpstreamGate gate = Postpress.gate();
		gate.close();
		CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> getChats(nextAttendee()),
				callers);
		CompletableFuture<HttpResponse<String>> second = CompletableFuture.supplyAsync(() -> getChats(nextAttendee()),
				callers);
		Bulkhead bulkhead = this.bulkheads.bulkhead("postpress");
		await().atMost(Duration.ofSeconds(30))
			.until(() -> gate.arrived() == 2 && bulkhead.getMetrics().getAvailableConcurrentCalls() == 0);

		HttpResponse<String> third = getChats(nextAttendee());

		// refused while both permits are still held by calls postpress has not answered
		assertThat(first).isNotDone();
		assertThat(second).isNotDone();
		assertProblem(third, 503, "errors/service_unavailable");
		assertThat(third.headers().firstValue("Retry-After")).isPresent();
		gate.release();
		assertThat(first.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
		assertThat(second.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
		assertThat(upstreamCalls()).isEqualTo(2);
		assertThat(breaker().getMetrics().getNumberOfFailedCalls()).isZero();
	}

	@Test
	void exposesResilienceMetrics() {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(1, null)));
		assertThat(getChats(nextAttendee()).statusCode()).isEqualTo(200);
		postpress.stubFor(Postpress.chats().willReturn(Postpress.error(500, "errors/unexpected_error")));
		assertThat(getChats(nextAttendee()).statusCode()).isEqualTo(500);

		HttpResponse<String> prometheus = this.proxy.management().get("/actuator/prometheus");
		assertThat(prometheus.statusCode()).isEqualTo(200);
		assertThat(prometheus.body()).containsPattern(series("resilience4j_retry_calls_total", "postpress"))
			.containsPattern(series("resilience4j_circuitbreaker_state", "postpress"))
			.containsPattern(series("resilience4j_circuitbreaker_calls_seconds_count", "postpress"))
			.containsPattern(series("resilience4j_circuitbreaker_calls_seconds_bucket", "postpress"))
			.containsPattern(series("resilience4j_bulkhead_available_concurrent_calls", "postpress"))
			.containsPattern("(?m)^resilience4j_retry_calls_total\\{[^}]*kind=\"failed_with_retry\"[^}]*\\} [1-9]")
			.containsPattern(
					"(?m)^http_client_requests_seconds_count\\{[^}]*uri=\"/chat_attendees/\\{attendee_id}/chats\"")
			.doesNotContain(Postpress.API_KEY)
			.doesNotContain("ACoA-res-");
	}

	@Test
	void staysReadyWhileTheBreakerIsOpen() {
		breaker().transitionToOpenState();
		ProxyClient management = this.proxy.management();

		HttpResponse<String> readiness = management.get("/actuator/health/readiness");
		assertThat(readiness.statusCode()).isEqualTo(200);
		assertThat(ProblemAssertions.parse(readiness.body()).path("status").asString()).isEqualTo("UP");

		HttpResponse<String> liveness = management.get("/actuator/health/liveness");
		assertThat(liveness.statusCode()).isEqualTo(200);
		assertThat(ProblemAssertions.parse(liveness.body()).path("status").asString()).isEqualTo("UP");

		HttpResponse<String> health = management.get("/actuator/health");
		System.out.println("Health while open: " + health.statusCode() + " " + health.body());
		JsonNode postpressHealth = ProblemAssertions.parse(health.body())
			.path("components")
			.path("circuitBreakers")
			.path("details")
			.path("postpress");
		assertThat(postpressHealth.path("details").path("state").asString()).isEqualTo("OPEN");
	}

	private static String series(String metric, String name) {
		return "(?m)^" + metric + "\\{[^}]*name=\"" + name + "\"[^}]*\\} ";
	}

	private void stubSequence(ResponseDefinitionBuilder... answers) {
		String state = Scenario.STARTED;
		for (int i = 0; i < answers.length; i++) {
			String next = "answer " + (i + 1);
			postpress.stubFor(Postpress.chats()
				.inScenario("sequence")
				.whenScenarioStateIs(state)
				.willReturn(answers[i])
				.willSetStateTo(next));
			state = next;
		}
	}

	private CircuitBreaker breaker() {
		return this.circuitBreakers.circuitBreaker("postpress");
	}

	private HttpResponse<String> getChats(String attendee) {
		return this.proxy.get("/attendees/" + attendee + "/chats");
	}

	private static String nextAttendee() {
		return "ACoA-res-" + attendees.incrementAndGet();
	}

	private static int upstreamCalls() {
		return postpress.countRequestsMatching(getRequestedFor(urlPathMatching(".*")).build()).getCount();
	}

	private static JsonNode assertProblem(HttpResponse<String> response, int status, String type) {
		return ProblemAssertions.assertProblem(response, status, type, postpress.port());
	}

}
