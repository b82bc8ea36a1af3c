package dev.chatproxy.upstream;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.chatproxy.support.ManualTicker;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.ProblemAssertions;
import dev.chatproxy.support.ProxyClient;
import dev.chatproxy.support.ProxyIntegrationTest;
import io.github.bucket4j.TimeMeter;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.TestPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The upstream budget of a single replica (CONTRACT.md section 11), end to end: a burst
 * of 3 calls refilled at one call per 100 s, on a clock the test drives (shared by the
 * cache and the budget).
 */
@ProxyIntegrationTest
@TestPropertySource(properties = { "postpress.rate-limit.requests-per-second=0.01", "postpress.rate-limit.burst=3" })
class UpstreamBudgetIntegrationTests {

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
		// past the TTL and the stale-while-revalidate window: only stale-if-error applies
		this.proxy.ticker().advance(Duration.ofSeconds(75));

		HttpResponse<String> stale = getChats(attendee);

		assertThat(stale.statusCode()).isEqualTo(200);
		assertThat(stale.body()).isEqualTo(stored.body());
		assertThat(stale.headers().firstValue("Cache-Status"))
			.hasValue("chat-proxy; hit; ttl=-45; detail=stale-if-error");
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
