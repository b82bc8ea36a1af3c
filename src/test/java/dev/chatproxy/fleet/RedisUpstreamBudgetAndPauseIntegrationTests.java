package dev.chatproxy.fleet;

import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.chatproxy.ChatProxyApplication;
import dev.chatproxy.support.ManualTicker;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.ProxyClient;
import dev.chatproxy.support.RedisServer;
import dev.chatproxy.upstream.UpstreamPause;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fleet's upstream budget and 429 pause (CONTRACT.md sections 9 and 11): two replicas
 * (two application contexts) in front of one WireMock postpress and one real Redis, with
 * a fleet budget of 4 calls refilled at one per 100 s.
 */
@TestMethodOrder(MethodOrderer.Random.class)
class RedisUpstreamBudgetAndPauseIntegrationTests {

	private static final WireMockServer postpress = Postpress.server();

	@RegisterExtension
	static RedisServer redis = new RedisServer();

	private static final AtomicInteger attendees = new AtomicInteger();

	/** The wall clock of every replica, which the test moves past a pause. */
	private static final SkewedClock clock = new SkewedClock(Duration.ZERO);

	private static Replica first;

	private static Replica second;

	@BeforeAll
	static void startTwoReplicas() {
		first = Replica.start();
		second = Replica.start();
	}

	@AfterAll
	static void stopReplicas() {
		for (Replica replica : new Replica[] { first, second }) {
			if (replica != null) {
				replica.context.close();
			}
		}
	}

	@BeforeEach
	void refillTheFleetBudget() {
		// a pause an earlier test left (one that failed before ending it) is over: the
		// clock only moves forward
		clock.advance(Duration.ofMinutes(3));
		postpress.resetAll();
		redis.flushAll();
		first.resetBreakers();
		second.resetBreakers();
		assertThat(first.pause().current()).isNull();
		assertThat(second.pause().current()).isNull();
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(2, null)));
	}

	/**
	 * The bound on a request while Redis is down or hung IS the contract
	 * ({@code proxy.cache.redis-timeout}, 1 s here), so it is measured, with a wide
	 * margin: a request that waited for Redis would wait for Lettuce's 60 s command
	 * timeout or the 25 s deadline, while 10 s leaves a loaded 2-core machine nine
	 * seconds for the upstream call and its own scheduling.
	 */
	private static final Duration WITHIN_THE_REDIS_TIMEOUT = Duration.ofSeconds(10);

	/**
	 * The time a pub/sub message or an asynchronous read may take on a loaded machine.
	 */
	private static final Duration PATIENCE = Duration.ofSeconds(20);

	@Test
	void theFleetSharesOneBudget() {
		double fallbacksBefore = first.budgetFallbacks() + second.budgetFallbacks();
		for (int i = 0; i < 2; i++) {
			assertThat(first.getChats(nextAttendee()).statusCode()).isEqualTo(200);
			assertThat(second.getChats(nextAttendee()).statusCode()).isEqualTo(200);
		}

		HttpResponse<String> refusedByFirst = first.getChats(nextAttendee());
		HttpResponse<String> refusedBySecond = second.getChats(nextAttendee());

		for (HttpResponse<String> refused : java.util.List.of(refusedByFirst, refusedBySecond)) {
			assertThat(refused.statusCode()).isEqualTo(503);
			assertThat(refused.body()).contains("errors/service_unavailable");
			assertThat(refused.headers().firstValue("Retry-After"))
				.hasValueSatisfying((seconds) -> assertThat(Integer.parseInt(seconds)).isBetween(90, 100));
		}
		assertThat(upstreamCalls()).isEqualTo(4);
		assertThat(first.budgetFallbacks() + second.budgetFallbacks()).isEqualTo(fallbacksBefore);
	}

	@Test
	void a429WithRetryAfterPausesEveryReplicaWithoutCallingPostpress() {
		postpress.stubFor(Postpress.chats()
			.willReturn(Postpress.error(429, "errors/too_many_requests").withHeader("Retry-After", "3")));

		HttpResponse<String> limited = first.getChats(nextAttendee());
		assertThat(limited.statusCode()).isEqualTo(429);
		assertThat(limited.headers().firstValue("Retry-After")).hasValue("3");
		await("the pause reaching the second replica").atMost(PATIENCE).until(() -> second.pause().current() != null);

		HttpResponse<String> paused = second.getChats(nextAttendee());

		assertThat(paused.statusCode()).isEqualTo(429);
		assertThat(paused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(paused.body()).contains("\"type\":\"errors/too_many_requests\"");
		assertThat(paused.headers().firstValue("Retry-After"))
			.hasValueSatisfying((seconds) -> assertThat(Integer.parseInt(seconds)).isBetween(1, 3));
		assertThat(upstreamCalls()).isEqualTo(1);
		assertThat(redis.dump()).noneMatch((entry) -> entry.contains(Postpress.API_KEY));
		endThePause();
		assertThat(second.getChats(nextAttendee()).statusCode()).isEqualTo(429);
		assertThat(upstreamCalls()).isEqualTo(2);
		endThePause();
	}

	@Test
	void requestsHeldBackByThePauseDoNotOpenTheCircuitBreaker() {
		postpress.stubFor(Postpress.chats()
			.willReturn(Postpress.error(429, "errors/too_many_requests").withHeader("Retry-After", "120")));
		assertThat(first.getChats(nextAttendee()).statusCode()).isEqualTo(429);
		await("the pause reaching the second replica").atMost(PATIENCE).until(() -> second.pause().current() != null);
		CircuitBreaker breaker = second.postpressBreaker();
		long failedBefore = breaker.getMetrics().getNumberOfFailedCalls();

		// twice the breaker's window: were they counted as failures, it would open
		for (int i = 0; i < 20; i++) {
			assertThat(second.getChats(nextAttendee()).statusCode()).isEqualTo(429);
		}

		assertThat(upstreamCalls()).as("held back: only the first call reached postpress").isEqualTo(1);
		assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
		assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isEqualTo(failedBefore);
		assertThat(first.postpressBreaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
		endThePause();
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(2, null)));
		HttpResponse<String> after = second.getChats(nextAttendee());
		assertThat(after.statusCode()).isEqualTo(200);
		assertThat(upstreamCalls()).as("the closed breaker lets the call through").isEqualTo(2);
	}

	@Test
	void aReplicaStartedDuringAPauseHoldsItToo() {
		postpress.stubFor(Postpress.chats()
			.willReturn(Postpress.error(429, "errors/too_many_requests").withHeader("Retry-After", "120")));
		assertThat(first.getChats(nextAttendee()).statusCode()).isEqualTo(429);
		await().atMost(PATIENCE).until(() -> redis.keys().contains(RedisUpstreamPause.KEY));

		Replica late = Replica.start();
		try {
			// the late replica reads the pause from Redis asynchronously once started
			await("the late replica reading the pause").atMost(PATIENCE).until(() -> late.pause().current() != null);
			HttpResponse<String> paused = late.getChats(nextAttendee());

			assertThat(paused.statusCode()).isEqualTo(429);
			assertThat(paused.headers().firstValue("Retry-After"))
				.hasValueSatisfying((seconds) -> assertThat(Integer.parseInt(seconds)).isBetween(1, 120));
			assertThat(upstreamCalls()).isEqualTo(1);
		}
		finally {
			late.context.close();
		}
		endThePause();
	}

	@Test
	void whilePausedAStaleCopyIsServed() {
		String attendee = nextAttendee();
		HttpResponse<String> stored = second.getChats(attendee);
		assertThat(stored.statusCode()).isEqualTo(200);
		// the shared copy (written before the answer) has times of Redis' own clock,
		// which
		// no replica moves: it is gone from Redis, as at the end of its lifetime there,
		// and the local copy is past its TTL and the stale-while-revalidate window: only
		// stale-if-error applies
		redis.flushAll();
		second.ticker().advance(Duration.ofSeconds(75));
		postpress.stubFor(Postpress.chats()
			.willReturn(Postpress.error(429, "errors/too_many_requests").withHeader("Retry-After", "3")));
		assertThat(first.getChats(nextAttendee()).statusCode()).isEqualTo(429);
		await().atMost(PATIENCE).until(() -> second.pause().current() != null);

		HttpResponse<String> stale = second.getChats(attendee);

		assertThat(stale.statusCode()).isEqualTo(200);
		assertThat(stale.body()).isEqualTo(stored.body());
		assertThat(stale.headers().firstValue("Cache-Status")).hasValueSatisfying(
				(status) -> assertThat(status).startsWith("chat-proxy; hit; ttl=-").endsWith("detail=stale-if-error"));
		assertThat(upstreamCalls()).isEqualTo(2);
		endThePause();
	}

	@Test
	void withRedisDownEachReplicaSpendsItsOwnBudgetAndStillServes() {
		double fallbacksBefore = first.budgetFallbacks();
		redis.stop();
		try {
			for (int i = 0; i < 4; i++) {
				long started = System.nanoTime();
				assertThat(first.getChats(nextAttendee()).statusCode()).isEqualTo(200);
				assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(WITHIN_THE_REDIS_TIMEOUT);
			}
			assertThat(first.getChats(nextAttendee()).statusCode()).isEqualTo(503);
			assertThat(upstreamCalls()).isEqualTo(4);
			assertThat(first.budgetFallbacks()).isEqualTo(fallbacksBefore + 5);
		}
		finally {
			redis.start();
			await("both replicas reconnected to Redis").atMost(Duration.ofSeconds(60))
				.until(() -> first.reachesRedis() && second.reachesRedis());
		}
	}

	@Test
	void aHungRedisAddsNoMoreThanItsTimeout() {
		assertThat(first.getChats(nextAttendee()).statusCode()).isEqualTo(200);
		double fallbacksBefore = second.budgetFallbacks();
		redis.freeze();
		try {
			for (int i = 0; i < 3; i++) {
				long started = System.nanoTime();
				assertThat(second.getChats(nextAttendee()).statusCode()).isEqualTo(200);
				assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(WITHIN_THE_REDIS_TIMEOUT);
			}
			assertThat(second.budgetFallbacks()).isEqualTo(fallbacksBefore + 3);
		}
		finally {
			redis.thaw();
		}
		assertThat(upstreamCalls()).isEqualTo(4);
	}

	private static void endThePause() {
		clock.advance(Duration.ofMinutes(3));
		assertThat(first.pause().current()).isNull();
		assertThat(second.pause().current()).isNull();
	}

	private static String nextAttendee() {
		return "att_fleet_" + attendees.incrementAndGet();
	}

	private static int upstreamCalls() {
		return postpress.countRequestsMatching(getRequestedFor(urlPathMatching(".*")).build()).getCount();
	}

	/**
	 * One replica: a whole application on random ports, pointed at the shared fakes.
	 */
	record Replica(ConfigurableApplicationContext context, ProxyClient proxy) {

		static Replica start() {
			Map<String, Object> properties = new HashMap<>();
			properties.put("server.port", "0");
			properties.put("management.server.port", "0");
			properties.put("postpress.base-url", postpress.baseUrl() + Postpress.BASE_PATH);
			properties.put("postpress.api-key", Postpress.API_KEY);
			properties.put("resilience4j.retry.configs.default.wait-duration", "10ms");
			properties.put("resilience4j.retry.configs.default.exponential-max-wait-duration", "20ms");
			properties.put("proxy.cache.shared", "redis");
			// generous for a busy test machine; what matters is that it bounds the wait
			properties.put("proxy.cache.redis-timeout", "1s");
			properties.put("spring.data.redis.url", redis.url());
			properties.put("postpress.rate-limit.requests-per-second", "0.01");
			properties.put("postpress.rate-limit.burst", "4");
			// as arguments, so that they win over application.yml
			String[] arguments = properties.entrySet()
				.stream()
				.map((property) -> "--" + property.getKey() + "=" + property.getValue())
				.toArray(String[]::new);
			ConfigurableApplicationContext context = new SpringApplicationBuilder(ChatProxyApplication.class,
					ManualClock.class)
				.run(arguments);
			int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
			return new Replica(context, new ProxyClient(port));
		}

		HttpResponse<String> getChats(String attendee) {
			return this.proxy.get("/attendees/" + attendee + "/chats");
		}

		UpstreamPause pause() {
			return this.context.getBean(UpstreamPause.class);
		}

		ManualTicker ticker() {
			return this.context.getBean(ManualTicker.class);
		}

		double budgetFallbacks() {
			return this.context.getBean(MeterRegistry.class)
				.get("chatproxy.upstream.budget.fallback")
				.counter()
				.count();
		}

		boolean reachesRedis() {
			try {
				return "PONG".equals(this.context.getBean(ReactiveStringRedisTemplate.class)
					.execute((connection) -> connection.ping())
					.next()
					.block(Duration.ofSeconds(1)));
			}
			catch (RuntimeException ex) {
				return false;
			}
		}

		CircuitBreaker postpressBreaker() {
			return this.context.getBean(CircuitBreakerRegistry.class).circuitBreaker("postpress");
		}

		void resetBreakers() {
			this.context.getBean(CircuitBreakerRegistry.class).getAllCircuitBreakers().forEach((b) -> b.reset());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ManualClock {

		@Bean
		@Primary
		ManualTicker manualTicker() {
			return new ManualTicker();
		}

		@Bean
		Clock pauseClock() {
			return clock;
		}

	}

}
