package dev.chatproxy.upstream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.chatproxy.ChatProxyApplication;
import dev.chatproxy.support.ManualTicker;
import dev.chatproxy.support.CacheAssertions;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.ProblemAssertions;
import dev.chatproxy.support.ProxyClient;
import dev.chatproxy.support.ProxyClientConfiguration;
import dev.chatproxy.support.ProxyIntegrationTest;
import dev.chatproxy.support.UpstreamGate;
import io.github.bucket4j.TimeMeter;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.NestedTestConfiguration;
import org.springframework.test.context.TestPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * The resilience of the upstream path (CONTRACT.md section 6), end to end: the whole
 * application on random ports in front of the fake postpress, with test-sized backoff, a
 * breaker that opens after 4 failures and stays open for 5 s (the tests move it to
 * half-open themselves), and a bulkhead of 2. The timeouts are tested with shorter ones
 * in {@link WhenPostpressIsSlow}.
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
		CacheAssertions.assertStaleIfError(stale, stored.body(), 15);
		assertThat(upstreamCalls()).isEqualTo(1);
	}

	@Test
	void refusesACallBeyondTheBulkheadWithoutWaitingForAPermit() throws Exception {
		UpstreamGate gate = Postpress.hold(Postpress.chats(), Postpress.page(1, null));
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

	/**
	 * The circuit breaker counts requests, not attempts (CONTRACT.md section 6):
	 * transient errors that the retries absorbed never open it, and operators see and
	 * reset it on the management port.
	 */
	@Nested
	@NestedTestConfiguration(NestedTestConfiguration.EnclosingConfiguration.OVERRIDE)
	@ProxyIntegrationTest
	class CircuitBreakerCountsRequests {

		@Autowired
		ProxyClient proxy;

		@Autowired
		CircuitBreakerRegistry circuitBreakers;

		int attendee;

		@BeforeEach
		void closeTheBreaker() {
			breaker().reset();
		}

		@Test
		void transientErrorsThatRetriesAbsorbedNeverOpenTheBreaker() {
			// every request: two 500s, then the page (the retry's third attempt)
			postpress.stubFor(Postpress.chats()
				.inScenario("flaky")
				.whenScenarioStateIs(Scenario.STARTED)
				.willReturn(Postpress.error(500, "errors/provider_error"))
				.willSetStateTo("failed once"));
			postpress.stubFor(Postpress.chats()
				.inScenario("flaky")
				.whenScenarioStateIs("failed once")
				.willReturn(Postpress.error(500, "errors/provider_error"))
				.willSetStateTo("failed twice"));
			postpress.stubFor(Postpress.chats()
				.inScenario("flaky")
				.whenScenarioStateIs("failed twice")
				.willReturn(Postpress.page(1, null))
				.willSetStateTo(Scenario.STARTED));
			int window = breaker().getCircuitBreakerConfig().getSlidingWindowSize();

			for (int i = 0; i < 3 * window; i++) {
				HttpResponse<String> response = this.proxy.get("/attendees/flaky" + i + "/chats");
				assertThat(response.statusCode()).isEqualTo(200);
			}

			assertThat(postpress.countRequestsMatching(getRequestedFor(urlPathMatching(".*")).build()).getCount())
				.isEqualTo(9 * window);
			assertThat(breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
			assertThat(breaker().getMetrics().getNumberOfFailedCalls()).isZero();
			assertThat(breaker().getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(window);
		}

		@Test
		void operatorsSeeAndResetTheBreakerOnTheManagementPort() throws Exception {
			breaker().transitionToOpenState();
			HttpResponse<String> state = this.proxy.management().get("/actuator/circuitbreakers");
			assertThat(state.statusCode()).isEqualTo(200);
			assertThat(state.body()).contains("\"postpress\"").contains("\"state\":\"OPEN\"");
			assertThat(this.proxy.get("/actuator/circuitbreakers").statusCode()).isEqualTo(404);

			HttpResponse<String> reset = HttpClient.newHttpClient()
				.send(HttpRequest
					.newBuilder(URI.create("http://127.0.0.1:" + this.proxy.management().port()
							+ "/actuator/circuitbreakers/postpress"))
					.header("Content-Type", "application/json")
					.POST(HttpRequest.BodyPublishers.ofString("{\"updateState\":\"CLOSE\"}"))
					.build(), HttpResponse.BodyHandlers.ofString());

			assertThat(reset.statusCode()).isEqualTo(200);
			assertThat(breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
			postpress.stubFor(Postpress.chats().willReturn(Postpress.page(1, null)));
			assertThat(this.proxy.get("/attendees/after-reset/chats").statusCode()).isEqualTo(200);
		}

		private CircuitBreaker breaker() {
			return this.circuitBreakers.circuitBreaker("postpress");
		}

	}

	/**
	 * The timeouts of CONTRACT.md section 6, with a 1 s attempt timeout within a 2 s
	 * deadline: a caller never waits for postpress past the deadline, whether postpress
	 * stays silent or trickles its answer. Postpress is held on a gate, so the tests
	 * assert what happened before what, not how many milliseconds it took.
	 */
	@Nested
	@NestedTestConfiguration(NestedTestConfiguration.EnclosingConfiguration.OVERRIDE)
	@ProxyIntegrationTest
	@TestPropertySource(properties = { "postpress.response-timeout=1s", "postpress.deadline=2s" })
	class WhenPostpressIsSlow {

		private static final long DEADLINE_MILLIS = 2000;

		private static boolean warm;

		@Autowired
		ProxyClient proxy;

		@Autowired
		CircuitBreakerRegistry circuitBreakers;

		/**
		 * Sends requests through a cold application until one is served, so that class
		 * loading is not mistaken for a slow answer; then forgets the timeouts that cost.
		 */
		@BeforeEach
		void warmUp() {
			if (!warm) {
				postpress.stubFor(Postpress.chats().willReturn(Postpress.page(1, null)));
				await().atMost(Duration.ofSeconds(60))
					.pollDelay(Duration.ZERO)
					.until(() -> this.proxy.get("/attendees/warm-up/chats").statusCode() == 200);
				postpress.resetAll();
				breaker().reset();
				warm = true;
			}
		}

		@Test
		void answersAtTheDeadlineWhenPostpressNeverAnswers() {
			Postpress.hold(Postpress.chats(), Postpress.page(1, null));

			long started = System.nanoTime();
			HttpResponse<String> response = this.proxy.get("/attendees/silent/chats");
			long elapsedMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();

			ProblemAssertions.assertProblem(response, 504, "errors/request_timeout", postpress.port());
			// not before the deadline, and cut off by it: three 1 s attempts never all
			// started
			assertThat(elapsedMillis).isGreaterThanOrEqualTo(DEADLINE_MILLIS - 100);
			assertThat(Postpress.gate().arrived()).isBetween(1, 2);
			// one request, however many attempts it made: one failure for the breaker
			assertThat(breaker().getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
		}

		@Test
		void cutsOffAPageThatTricklesIn() {
			postpress.stubFor(Postpress.chats().willReturn(Postpress.page(50, null).withChunkedDribbleDelay(20, 6000)));

			long started = System.nanoTime();
			HttpResponse<String> response = this.proxy.get("/attendees/trickling/chats");
			long elapsedMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();

			ProblemAssertions.assertProblem(response, 504, "errors/request_timeout", postpress.port());
			assertThat(elapsedMillis).isGreaterThanOrEqualTo(DEADLINE_MILLIS - 100);
			// before even one trickling answer could have finished
			assertThat(elapsedMillis).isLessThan(6000);
			assertThat(requestsFor("trickling")).isBetween(1, 2);
		}

		@Test
		void answersAtOnceWhenRetryAfterRunsPastTheDeadline() {
			postpress.stubFor(Postpress.chats()
				.willReturn(Postpress.error(503, "errors/no_channel").withHeader("Retry-After", "5")));

			long started = System.nanoTime();
			HttpResponse<String> response = this.proxy.get("/attendees/busy/chats");
			long elapsedMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();

			ProblemAssertions.assertProblem(response, 503, "errors/no_channel", postpress.port());
			assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
			// neither waited for the Retry-After nor for the deadline
			assertThat(elapsedMillis).isLessThan(DEADLINE_MILLIS);
			assertThat(requestsFor("busy")).isEqualTo(1);
		}

		/**
		 * Postpress' requests for one attendee: a trickling answer of another test may
		 * still end in the journal after the reset.
		 */
		private static int requestsFor(String attendeeId) {
			return postpress
				.countRequestsMatching(WireMock
					.getRequestedFor(
							WireMock.urlPathEqualTo(Postpress.BASE_PATH + "/chat_attendees/" + attendeeId + "/chats"))
					.build())
				.getCount();
		}

		private CircuitBreaker breaker() {
			return this.circuitBreakers.circuitBreaker("postpress");
		}

	}

	/**
	 * postpress cannot be reached at all: the proxy's base URL points to a loopback port
	 * on which nothing listens.
	 */
	@Nested
	@NestedTestConfiguration(NestedTestConfiguration.EnclosingConfiguration.OVERRIDE)
	@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
	@Import(ProxyClientConfiguration.class)
	class WhenPostpressIsUnreachable {

		private static final int closedPort = closedPort();

		@Autowired
		ProxyClient proxy;

		@Autowired
		CircuitBreakerRegistry circuitBreakers;

		@Autowired
		RetryRegistry retries;

		@DynamicPropertySource
		static void postpressProperties(DynamicPropertyRegistry registry) {
			registry.add("postpress.base-url", () -> "http://127.0.0.1:" + closedPort + Postpress.BASE_PATH);
			registry.add("postpress.api-key", () -> Postpress.API_KEY);
			registry.add("resilience4j.retry.configs.default.wait-duration", () -> "10ms");
			registry.add("resilience4j.retry.configs.default.exponential-max-wait-duration", () -> "20ms");
		}

		@Test
		void answersNetworkDownAfterThreeAttempts() {
			CircuitBreaker breaker = this.circuitBreakers.circuitBreaker("postpress");
			breaker.reset();
			long failedWithRetry = this.retries.retry("postpress")
				.getMetrics()
				.getNumberOfFailedCallsWithRetryAttempt();

			HttpResponse<String> response = this.proxy.get("/attendees/unreachable/chats");

			ProblemAssertions.assertProblem(response, 503, "errors/network_down", closedPort);
			// three attempts, one request: one failure for the breaker
			assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
			assertThat(this.retries.retry("postpress").getMetrics().getNumberOfFailedCallsWithRetryAttempt())
				.isEqualTo(failedWithRetry + 1);
		}

		private static int closedPort() {
			try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
				return socket.getLocalPort();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

	}

	/**
	 * The upstream budget of a single replica (CONTRACT.md section 11), end to end: a
	 * burst of 3 calls refilled at one call per 100 s, on a clock the test drives (shared
	 * by the cache and the budget).
	 */
	@ProxyIntegrationTest
	@TestPropertySource(
			properties = { "postpress.rate-limit.requests-per-second=0.01", "postpress.rate-limit.burst=3" })
	@Nested
	@NestedTestConfiguration(NestedTestConfiguration.EnclosingConfiguration.OVERRIDE)
	class UpstreamBudget {

		private static final WireMockServer postpress = Postpress.server();

		private static final AtomicInteger attendees = new AtomicInteger();

		@Autowired
		ProxyClient proxy;

		@Autowired
		CircuitBreakerRegistry circuitBreakers;

		@BeforeEach
		void refillTheBudgetAndEmptyTheCache() {
			this.proxy.ticker().advance(Duration.ofHours(1));
			postpress.stubFor(Postpress.chats().willReturn(Postpress.page(2, null)));
		}

		@Test
		void answers503WithRetryAfterOnceTheBurstIsSpentWithoutCallingPostpress() {
			for (int i = 0; i < 3; i++) {
				assertThat(getChats(nextAttendee()).statusCode()).isEqualTo(200);
			}
			double throttledBefore = throttled();

			HttpResponse<String> refused = getChats(nextAttendee());

			ProblemAssertions.assertProblem(refused, 503, "errors/service_unavailable", postpress.port());
			assertThat(refused.headers().firstValue("Retry-After")).hasValue("100");
			assertThat(upstreamCalls()).isEqualTo(3);
			assertThat(throttled()).isEqualTo(throttledBefore + 1);
			assertThat(this.circuitBreakers.circuitBreaker("postpress").getMetrics().getNumberOfBufferedCalls())
				.as("a request the budget held back says nothing of postpress' health")
				.isEqualTo(3);
		}

		@Test
		void refillsOneCallPerHundredSeconds() {
			for (int i = 0; i < 3; i++) {
				getChats(nextAttendee());
			}
			this.proxy.ticker().advance(Duration.ofSeconds(60));
			assertThat(getChats(nextAttendee()).headers().firstValue("Retry-After")).hasValue("40");

			this.proxy.ticker().advance(Duration.ofSeconds(40));

			assertThat(getChats(nextAttendee()).statusCode()).isEqualTo(200);
			assertThat(getChats(nextAttendee()).statusCode()).isEqualTo(503);
			assertThat(upstreamCalls()).isEqualTo(4);
		}

		@Test
		void servesTheStaleCopyWhenThrottled() {
			String attendee = nextAttendee();
			HttpResponse<String> stored = getChats(attendee);
			getChats(nextAttendee());
			getChats(nextAttendee());
			// past the TTL and the stale-while-revalidate window: only stale-if-error
			// applies
			this.proxy.ticker().advance(Duration.ofSeconds(75));

			HttpResponse<String> stale = getChats(attendee);

			CacheAssertions.assertStaleIfError(stale, stored.body(), 45);
			assertThat(upstreamCalls()).isEqualTo(3);
		}

		@Test
		void retriesDrawOnTheBudget() {
			assertThat(getChats(nextAttendee()).statusCode()).isEqualTo(200);
			postpress.stubFor(Postpress.chats().willReturn(Postpress.error(503, "errors/service_unavailable")));

			HttpResponse<String> failed = getChats(nextAttendee());

			// the third attempt finds the budget spent: two calls made, then the budget's
			// answer
			ProblemAssertions.assertProblem(failed, 503, "errors/service_unavailable", postpress.port());
			assertThat(failed.headers().firstValue("Retry-After")).hasValue("100");
			assertThat(upstreamCalls()).isEqualTo(3);
		}

		@Test
		void exposesTheThrottledCounterToPrometheus() {
			for (int i = 0; i < 4; i++) {
				getChats(nextAttendee());
			}

			HttpResponse<String> metrics = this.proxy.management().get("/actuator/prometheus");

			assertThat(metrics.body()).containsPattern("(?m)^chatproxy_upstream_throttled_total\\{[^}]*\\} [1-9]");
		}

		private HttpResponse<String> getChats(String attendee) {
			return this.proxy.get("/attendees/" + attendee + "/chats");
		}

		private double throttled() {
			return this.proxy.meters().get("chatproxy.upstream.throttled").counter().count();
		}

		private static String nextAttendee() {
			return "att_budget_" + attendees.incrementAndGet();
		}

		private static int upstreamCalls() {
			return postpress.countRequestsMatching(getRequestedFor(urlPathMatching(".*")).build()).getCount();
		}

		@TestConfiguration(proxyBeanMethods = false)
		static class BudgetClock {

			@Bean
			TimeMeter upstreamBudgetClock(ManualTicker ticker) {
				return new TimeMeter() {

					@Override
					public long currentTimeNanos() {
						return ticker.read();
					}

					@Override
					public boolean isWallClockBased() {
						return false;
					}

				};
			}

		}

	}

	/**
	 * Every error type of the seed's API page, and answers that are not postpress' at
	 * all, reach the caller as CONTRACT.md section 5 says.
	 */
	@ProxyIntegrationTest
	@TestPropertySource(properties = "postpress.max-response-size=64KB")
	@Nested
	@NestedTestConfiguration(NestedTestConfiguration.EnclosingConfiguration.OVERRIDE)
	class UpstreamErrorMapping {

		/** The 401 types that mean the proxy's own key is wrong. */
		private static final Set<String> OWN_CREDENTIAL_TYPES = Set.of("errors/missing_credentials",
				"errors/invalid_credentials", "errors/insufficient_privileges");

		private static final WireMockServer postpress = Postpress.server();

		@Autowired
		ProxyClient proxy;

		/**
		 * Every error type of postpress' API page (a copy of the seed, in
		 * {@code src/test/resources/seed}), with the status it is listed under.
		 */
		static Stream<Arguments> seedErrorTypes() {
			return SeedErrorTypes.read().stream().map((type) -> Arguments.of(type.status(), type.type()));
		}

		@Test
		void readsEveryErrorTypeTheSeedAnnouncesForEachStatus() {
			List<SeedErrorTypes.ErrorType> types = SeedErrorTypes.read();
			Map<Integer, Long> perStatus = types.stream()
				.collect(Collectors.groupingBy(SeedErrorTypes.ErrorType::status, Collectors.counting()));
			assertThat(perStatus).isEqualTo(SeedErrorTypes.announcedCounts());
			assertThat(perStatus.keySet()).containsExactlyInAnyOrder(401, 403, 404, 500, 503, 504);
			assertThat(types).extracting(SeedErrorTypes.ErrorType::type).doesNotHaveDuplicates();
		}

		@ParameterizedTest(name = "{0} {1}")
		@MethodSource("seedErrorTypes")
		void mapsEachSeedErrorType(int upstreamStatus, String type) {
			postpress.stubFor(Postpress.chats().willReturn(Postpress.error(upstreamStatus, type)));
			HttpResponse<String> response = this.proxy.get("/attendees/ACoA-map/chats");

			int expectedStatus = OWN_CREDENTIAL_TYPES.contains(type) ? 502 : upstreamStatus;
			JsonNode body = ProblemAssertions.assertProblem(response, expectedStatus, type, postpress.port());
			assertThat(body.path("title").asString()).isEqualTo("Title of " + type);
			assertThat(body.path("detail").asString()).isEqualTo("Detail of " + type);
			int attempts = (upstreamStatus >= 500) ? 3 : 1;
			assertThat(upstreamCalls()).isEqualTo(attempts);
			postpress.verify(attempts,
					getRequestedFor(urlPathMatching(".*")).withHeader("X-API-KEY", equalTo(Postpress.API_KEY)));
		}

		static Stream<Arguments> nonEnvelopeAnswers() {
			return Stream.of(
					Arguments.of("HTML 502",
							WireMock.aResponse()
								.withStatus(502)
								.withHeader("Content-Type", "text/html")
								.withBody("<html><body><h1>502 Bad Gateway</h1>nginx</body></html>")),
					Arguments.of("200 with HTML",
							WireMock.okForContentType("text/html", "<html><body>Maintenance</body></html>")),
					Arguments.of("200 with truncated JSON",
							WireMock.okForContentType("application/json", "{\"object\":\"ChatList\",\"items\":[")),
					Arguments.of("200 with an empty body", WireMock.aResponse().withStatus(200)),
					Arguments.of("200 with JSON that is not a ChatList",
							WireMock.okJson("{\"object\":\"Account\",\"id\":\"acc_1\"}")),
					Arguments.of("200 with a ChatList whose items are not chats",
							WireMock.okJson("{\"object\":\"ChatList\",\"items\":[{\"foo\":1}],\"cursor\":null}")),
					Arguments.of("404 without an envelope", WireMock.notFound().withBody("Not Found")),
					Arguments.of("418", WireMock.aResponse().withStatus(418)));
		}

		@ParameterizedTest(name = "{0}")
		@MethodSource("nonEnvelopeAnswers")
		void answersBadUpstreamResponseToAnythingButAnEnvelopeOrAPage(String name, ResponseDefinitionBuilder answer) {
			postpress.stubFor(Postpress.chats().willReturn(answer));
			HttpResponse<String> response = this.proxy.get("/attendees/ACoA-bad/chats");
			ProblemAssertions.assertProblem(response, 502, "errors/bad_upstream_response", postpress.port());
			assertThat(response.body()).doesNotContain("nginx").doesNotContain("Maintenance");
			assertThat(upstreamCalls()).isEqualTo(1);
		}

		@ParameterizedTest
		@EnumSource(value = Fault.class, names = { "MALFORMED_RESPONSE_CHUNK", "RANDOM_DATA_THEN_CLOSE" })
		void answersABrokenAnswerAsNetworkDownAfterRetries(Fault fault) {
			postpress.stubFor(Postpress.chats().willReturn(WireMock.aResponse().withFault(fault)));
			HttpResponse<String> response = this.proxy.get("/attendees/ACoA-broken/chats");
			System.out
				.println(fault + " -> " + response.statusCode() + " " + response.body() + " calls " + upstreamCalls());
			ProblemAssertions.assertProblem(response, 503, "errors/network_down", postpress.port());
			assertThat(upstreamCalls()).isEqualTo(3);
		}

		@Test
		void answersBadUpstreamResponseToAPageAboveTheSizeLimit() {
			postpress.stubFor(Postpress.chats().willReturn(Postpress.page(250, null)));
			HttpResponse<String> response = this.proxy.get("/attendees/ACoA-huge/chats?limit=250");
			ProblemAssertions.assertProblem(response, 502, "errors/bad_upstream_response", postpress.port());
			assertThat(upstreamCalls()).isEqualTo(1);
		}

		@Test
		void redactsTheApiKeyWhenPostpressEchoesIt() {
			postpress.stubFor(Postpress.chats()
				.willReturn(WireMock.aResponse()
					.withStatus(403)
					.withHeader("Content-Type", "application/json")
					.withBody("{\"type\":\"errors/insufficient_permissions\",\"title\":\"Key " + Postpress.API_KEY
							+ " may not\",\"status\":403,\"detail\":\"The key " + Postpress.API_KEY
							+ " lacks a scope\"}")));
			HttpResponse<String> response = this.proxy.get("/attendees/ACoA-echo/chats");
			JsonNode body = ProblemAssertions.assertProblem(response, 403, "errors/insufficient_permissions",
					postpress.port());
			assertThat(body.path("detail").asString()).contains("lacks a scope");
		}

		@Test
		void keepsAnUnlistedErrorTypeOfAListedStatus() {
			postpress.stubFor(Postpress.chats().willReturn(Postpress.error(403, "errors/brand_new_restriction")));
			HttpResponse<String> response = this.proxy.get("/attendees/ACoA-new/chats");
			ProblemAssertions.assertProblem(response, 403, "errors/brand_new_restriction", postpress.port());
		}

		private static int upstreamCalls() {
			return postpress.countRequestsMatching(getRequestedFor(urlPathMatching(".*")).build()).getCount();
		}

	}

	/**
	 * Outside the demo, the proxy refuses to start without an API key, and says which
	 * variable to set.
	 */
	@ExtendWith(OutputCaptureExtension.class)
	@Nested
	class WithoutAnApiKey {

		@Test
		void startUpWithoutTheKeyFailsNamingTheVariable(CapturedOutput output) {
			SpringApplicationBuilder application = new SpringApplicationBuilder(ChatProxyApplication.class)
				.properties("server.port=0", "management.server.port=0", "postpress.api-key=");

			assertThatException().isThrownBy(application::run).withRootCauseInstanceOf(MissingApiKey.class);
			assertThat(output.getAll()).contains("POSTPRESS_API_KEY is not set")
				.contains("APPLICATION FAILED TO START")
				.doesNotContain("at dev.chatproxy");
		}

		@Test
		void theKeyIsMaskedWhenTheSettingsArePrinted() {
			PostpressProperties properties = new PostpressProperties(java.net.URI.create("http://127.0.0.1"),
					"pp_live_very_secret", java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(1),
					java.time.Duration.ofSeconds(1), org.springframework.util.unit.DataSize.ofMegabytes(1),
					new PostpressProperties.RateLimit(null, null));

			assertThat(properties.toString()).doesNotContain("pp_live_very_secret").contains("******");
		}

	}

}
