package dev.chatproxy.upstream;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.github.bucket4j.TimeMeter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The in-process token bucket on a clock the test drives.
 */
class LocalUpstreamBudgetTests {

	private final DrivenClock clock = new DrivenClock();

	@Test
	void grantsTheBurstThenTellsHowLongUntilTheNextToken() {
		LocalUpstreamBudget budget = new LocalUpstreamBudget(new PostpressProperties.RateLimit(2.0, 3), this.clock);

		for (int i = 0; i < 3; i++) {
			assertThat(budget.take()).isZero();
		}
		assertThat(budget.take()).isEqualTo(Duration.ofMillis(500));
	}

	@Test
	void refillsContinuouslyAtTheConfiguredRate() {
		LocalUpstreamBudget budget = new LocalUpstreamBudget(new PostpressProperties.RateLimit(2.0, 3), this.clock);
		drain(budget);

		this.clock.advance(Duration.ofMillis(300));
		assertThat(budget.take()).isEqualTo(Duration.ofMillis(200));
		this.clock.advance(Duration.ofMillis(200));
		assertThat(budget.take()).isZero();
		assertThat(budget.take()).isEqualTo(Duration.ofMillis(500));
	}

	@Test
	void neverHoldsMoreThanTheBurstAfterAQuietSpell() {
		LocalUpstreamBudget budget = new LocalUpstreamBudget(new PostpressProperties.RateLimit(10.0, 2), this.clock);

		this.clock.advance(Duration.ofHours(1));

		assertThat(drain(budget)).isEqualTo(2);
	}

	@Test
	void allowsLessThanOneCallPerSecond() {
		LocalUpstreamBudget budget = new LocalUpstreamBudget(new PostpressProperties.RateLimit(0.25, null), this.clock);

		assertThat(drain(budget)).isEqualTo(1);
		assertThat(budget.take()).isEqualTo(Duration.ofSeconds(4));
	}

	@Test
	void defaultsTheBurstToTheRateRoundedUp() {
		LocalUpstreamBudget budget = new LocalUpstreamBudget(new PostpressProperties.RateLimit(2.5, null), this.clock);

		assertThat(drain(budget)).isEqualTo(3);
	}

	@Test
	void grantsExactlyTheBurstToConcurrentCallers() throws Exception {
		LocalUpstreamBudget budget = new LocalUpstreamBudget(new PostpressProperties.RateLimit(1.0, 50), this.clock);
		ExecutorService callers = Executors.newFixedThreadPool(8);
		CountDownLatch start = new CountDownLatch(1);
		AtomicInteger granted = new AtomicInteger();
		try {
			Future<?>[] running = new Future<?>[8];
			for (int i = 0; i < running.length; i++) {
				running[i] = callers.submit(() -> {
					start.await();
					for (int j = 0; j < 100; j++) {
						if (budget.take().isZero()) {
							granted.incrementAndGet();
						}
					}
					return null;
				});
			}
			start.countDown();
			for (Future<?> caller : running) {
				caller.get(10, TimeUnit.SECONDS);
			}
		}
		finally {
			callers.shutdownNow();
		}
		assertThat(granted).hasValue(50);
	}

	private static int drain(LocalUpstreamBudget budget) {
		int granted = 0;
		while (budget.take().isZero() && granted < 1000) {
			granted++;
		}
		return granted;
	}

	/**
	 * A bucket clock that moves only when the test says so.
	 */
	static final class DrivenClock implements TimeMeter {

		private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

		@Override
		public long currentTimeNanos() {
			return this.nanos.get();
		}

		@Override
		public boolean isWallClockBased() {
			return false;
		}

		void advance(Duration duration) {
			this.nanos.addAndGet(duration.toNanos());
		}

	}

}
