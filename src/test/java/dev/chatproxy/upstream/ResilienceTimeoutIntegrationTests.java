package dev.chatproxy.upstream;

import java.net.http.HttpResponse;
import java.time.Duration;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.ProxyClient;
import dev.chatproxy.support.ProxyIntegrationTest;
import dev.chatproxy.support.UpstreamGate;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The timeouts of CONTRACT.md section 6, with a 1 s attempt timeout within a 2 s
 * deadline: a caller never waits for postpress past the deadline, whether postpress stays
 * silent or trickles its answer. Postpress is held on a gate, so the tests assert what
 * happened before what, not how many milliseconds it took.
 */
@ProxyIntegrationTest
@TestPropertySource(properties = { "postpress.response-timeout=1s", "postpress.deadline=2s" })
class ResilienceTimeoutIntegrationTests {

	private static final long DEADLINE_MILLIS = 2000;

	private static final WireMockServer postpress = Postpress.server();

	private static boolean warm;

	@LocalServerPort
	int port;

	@Autowired
	CircuitBreakerRegistry circuitBreakers;

	private ProxyClient proxy;

	/**
	 * Sends requests through a cold application until one is served, so that class
	 * loading is not mistaken for a slow answer; then forgets the timeouts that cost.
	 */
	@BeforeEach
	void warmUp() {
		this.proxy = new ProxyClient(this.port);
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
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(1, null).withTransformers(UpstreamGate.NAME)));
		Postpress.gate().close();

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
		postpress.stubFor(
				Postpress.chats().willReturn(Postpress.error(503, "errors/no_channel").withHeader("Retry-After", "5")));

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
	 * Postpress' requests for one attendee: a trickling answer of another test may still
	 * end in the journal after the reset.
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
