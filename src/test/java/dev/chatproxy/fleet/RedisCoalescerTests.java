package dev.chatproxy.fleet;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.chatproxy.cache.Invalidation;
import dev.chatproxy.support.RedisServer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.lettuce.core.ClientOptions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link RedisCoalescer} on a real Redis, two coalescers standing for two
 * replicas: a storm folds fleet-wide into one trailing invalidation, and when Redis fails
 * no event is lost, it goes through as it would without coalescing.
 */
class RedisCoalescerTests {

	/** Long enough that a busy machine admits a test's events within one interval. */
	private static final Duration INTERVAL = Duration.ofSeconds(3);

	/** Long enough that a busy machine's Redis answers in time, unless it is frozen. */
	private static final Duration TIMEOUT = Duration.ofSeconds(1);

	@RegisterExtension
	static final RedisServer redis = new RedisServer();

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	/** Every trailing invalidation applied, by either replica. */
	private final List<Invalidation> trailing = new CopyOnWriteArrayList<>();

	private Replica a;

	private Replica b;

	@BeforeEach
	void startReplicas() {
		redis.start();
		redis.flushAll();
		this.a = new Replica("a");
		this.b = new Replica("b");
	}

	@AfterEach
	void stopReplicas() {
		redis.thaw();
		this.a.close();
		this.b.close();
	}

	@Test
	void eventsOfAnIntervalOnTwoReplicasFoldIntoOneTrailingInvalidationOfTheirChats() {
		assertThat(this.a.admit(event("chat_1"))).isEqualTo(event("chat_1"));
		assertThat(this.b.admit(event("chat_2")).isEmpty()).isTrue();
		assertThat(this.a.admit(event("chat_3")).isEmpty()).isTrue();

		// both replicas folded an event: both flush at the interval's end, one applies
		await().atMost(Duration.ofSeconds(30)).until(() -> this.a.idle() && this.b.idle());

		assertThat(this.trailing).singleElement().satisfies((invalidation) -> {
			assertThat(invalidation.attendeeIds()).containsExactly("att_1");
			assertThat(invalidation.chatIds()).containsExactlyInAnyOrder("chat_2", "chat_3");
			assertThat(invalidation.cause()).isNotNull();
			assertThat(invalidation.cause().accountId()).isEqualTo("acc_1");
		});
	}

	@Test
	void whenRedisDoesNotAnswerEveryEventGoesThroughAtOnce() {
		redis.freeze();

		assertThat(this.a.admit(event("chat_1"))).isEqualTo(event("chat_1"));
		assertThat(this.a.admit(event("chat_2"))).isEqualTo(event("chat_2"));
		assertThat(this.b.admit(event("chat_3"))).isEqualTo(event("chat_3"));

		assertThat(this.a.idle() && this.b.idle()).isTrue();
		assertThat(this.trailing).isEmpty();
		assertThat(this.meters.get("fallbacks").tag("replica", "a").counter().count()).isPositive();
	}

	@Test
	void aTrailingInvalidationThatCannotBeReadStillMarksItsSubject() {
		this.a.admit(event("chat_1"));
		assertThat(this.a.admit(event("chat_2")).isEmpty()).isTrue();

		redis.freeze();

		// the folded chats stay in the frozen Redis: the attendee's pages are marked
		await().atMost(Duration.ofSeconds(30)).until(() -> !this.trailing.isEmpty() && this.a.idle());
		assertThat(this.trailing).singleElement().satisfies((invalidation) -> {
			assertThat(invalidation.attendeeIds()).containsExactly("att_1");
			assertThat(invalidation.chatIds()).isEmpty();
		});
	}

	private static Invalidation event(String chatId) {
		return new Invalidation(Set.of("att_1"), Set.of(chatId), Set.of(), "webhook",
				new Invalidation.Cause("message_received", "acc_1", 0));
	}

	/** One replica's coalescer, on its own connection, breaker and scheduler. */
	private final class Replica implements AutoCloseable {

		private final LettuceConnectionFactory connections;

		private final CountingScheduler scheduler = new CountingScheduler();

		private final RedisCoalescer coalescer;

		Replica(String name) {
			LettuceClientConfiguration client = LettuceClientConfiguration.builder()
				.commandTimeout(TIMEOUT)
				.clientOptions(ClientOptions.builder()
					.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
					.build())
				.build();
			this.connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", redis.port()),
					client);
			this.connections.afterPropertiesSet();
			this.connections.start();
			StringRedisTemplate template = new StringRedisTemplate(this.connections);
			RedisBreaker breaker = new RedisBreaker(CircuitBreaker.ofDefaults("redis-" + name), TIMEOUT,
					Counter.builder("fallbacks").tag("replica", name).register(RedisCoalescerTests.this.meters));
			this.coalescer = new RedisCoalescer(template, breaker, this.scheduler);
		}

		Invalidation admit(Invalidation event) {
			return this.coalescer.admit(event, INTERVAL, RedisCoalescerTests.this.trailing::add);
		}

		/** Whether every flush scheduled has run. */
		boolean idle() {
			return this.scheduler.scheduled.get() == this.scheduler.ran.get();
		}

		@Override
		public void close() {
			this.scheduler.shutdownNow();
			this.connections.destroy();
		}

	}

	/** Counts the tasks scheduled and those that have run, to wait for the flushes. */
	private static final class CountingScheduler extends ScheduledThreadPoolExecutor {

		final AtomicInteger scheduled = new AtomicInteger();

		final AtomicInteger ran = new AtomicInteger();

		CountingScheduler() {
			super(1);
		}

		@Override
		public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
			this.scheduled.incrementAndGet();
			return super.schedule(command, delay, unit);
		}

		@Override
		protected void afterExecute(Runnable task, Throwable failure) {
			this.ran.incrementAndGet();
		}

	}

}
