package dev.chatproxy.upstream;

import java.net.http.HttpResponse;
import java.time.Duration;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.ProxyClient;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cache.CacheManager;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The timeouts of CONTRACT.md section 6, with a 1 s attempt timeout within a 2 s
 * deadline: a caller never waits much longer than the deadline, whether postpress stays
 * silent or trickles its answer.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "postpress.response-timeout=1s", "postpress.deadline=2s" })
class ResilienceTimeoutIntegrationTests {

	private static final long DEADLINE_MILLIS = 2000;

	/**
	 * Three attempts that each run into the 1 s attempt timeout take 3 s: a caller served
	 * below that was saved by the deadline, not by the attempts running out.
	 */
	private static final long WITHIN_DEADLINE_MILLIS = 2900;

	@RegisterExtension
	static WireMockExtension postpress = Postpress.server();

	private static boolean warm;

	@LocalServerPort
	int port;

	@Autowired
	CircuitBreakerRegistry circuitBreakers;

	@Autowired
	CacheManager cacheManager;

	private ProxyClient proxy;

	@DynamicPropertySource
	static void postpressProperties(DynamicPropertyRegistry registry) {
		Postpress.configure(registry, postpress);
	}

	/**
	 * Sends requests through a cold application until one is served within the deadline,
	 * so that class loading is not mistaken for a slow answer.
	 */
	@BeforeEach
	void warmUpThenReset() {
		this.proxy = new ProxyClient(this.port);
		if (!warm) {
			postpress.stubFor(Postpress.chats().willReturn(Postpress.page(1, null)));
			await().atMost(Duration.ofSeconds(60))
				.pollDelay(Duration.ZERO)
				.until(() -> this.proxy.get("/attendees/warm-up/chats").statusCode() == 200);
			postpress.resetAll();
			warm = true;
		}
		breaker().reset();
		this.cacheManager.getCache("chats").clear();
	}

	@Test
	void answersWithinTheDeadlineWhenPostpressNeverAnswers() {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(1, null).withFixedDelay(6000)));
		long started = System.nanoTime();
		HttpResponse<String> response = this.proxy.get("/attendees/silent/chats");
		long elapsedMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
		System.out.println("Silent postpress: answered in " + elapsedMillis + " ms, deadline " + DEADLINE_MILLIS);
		ProblemAssertions.assertProblem(response, 504, "errors/request_timeout", postpress.getPort());
		assertThat(elapsedMillis).isBetween(DEADLINE_MILLIS - 100, WITHIN_DEADLINE_MILLIS);
		// one request, however many attempts it made: one failure for the breaker
		assertThat(breaker().getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
	}

	@Test
	void cutsOffAPageThatTricklesIn() {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(50, null).withChunkedDribbleDelay(20, 6000)));
		long started = System.nanoTime();
		HttpResponse<String> response = this.proxy.get("/attendees/trickling/chats");
		long elapsedMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
		System.out.println("Trickling postpress: answered in " + elapsedMillis + " ms, deadline " + DEADLINE_MILLIS);
		ProblemAssertions.assertProblem(response, 504, "errors/request_timeout", postpress.getPort());
		assertThat(elapsedMillis).isBetween(DEADLINE_MILLIS - 100, WITHIN_DEADLINE_MILLIS);
	}

	@Test
	void answersAtOnceWhenRetryAfterRunsPastTheDeadline() {
		postpress.stubFor(
				Postpress.chats().willReturn(Postpress.error(503, "errors/no_channel").withHeader("Retry-After", "5")));
		long started = System.nanoTime();
		HttpResponse<String> response = this.proxy.get("/attendees/busy/chats");
		long elapsedMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
		ProblemAssertions.assertProblem(response, 503, "errors/no_channel", postpress.getPort());
		assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
		assertThat(elapsedMillis).isLessThan(DEADLINE_MILLIS - 500);
		assertThat(postpress.getAllServeEvents()).hasSize(1);
	}

	private CircuitBreaker breaker() {
		return this.circuitBreakers.circuitBreaker("postpress");
	}

}
