package dev.chatproxy.fleet;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;

/**
 * Runs every Redis command through the {@code redis} circuit breaker, so that a slow or
 * absent Redis costs at most one command timeout, and then nothing, until it answers
 * again.
 * <p>
 * The breaker needs several failures to open; meanwhile, one failed command makes the
 * replica skip Redis for {@value #QUIET_MILLIS} ms, so that a request which meets a hung
 * Redis pays one timeout, not one for each of its commands.
 */
class RedisGuard {

	static final long QUIET_MILLIS = 1000;

	private final CircuitBreaker breaker;

	private final Counter fallbacks;

	private volatile long quietUntilNanos = System.nanoTime();

	RedisGuard(CircuitBreaker breaker, Counter fallbacks) {
		this.breaker = breaker;
		this.fallbacks = fallbacks;
	}

	/**
	 * Runs a command.
	 * @param <T> the type of its result
	 * @param command the command
	 * @return its result
	 * @throws SharedTierUnavailable if it failed or the breaker is open
	 */
	<T> T call(Supplier<T> command) {
		if (System.nanoTime() - this.quietUntilNanos < 0) {
			this.fallbacks.increment();
			throw SharedTierUnavailable.skipped();
		}
		try {
			return this.breaker.executeSupplier(command);
		}
		catch (RuntimeException ex) {
			if (!(ex instanceof CallNotPermittedException)) {
				this.quietUntilNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS);
			}
			this.fallbacks.increment();
			throw new SharedTierUnavailable(ex);
		}
	}

	/**
	 * Runs a command whose failure changes nothing for the caller.
	 * @param command the command
	 */
	void quietly(Runnable command) {
		try {
			call(() -> {
				command.run();
				return true;
			});
		}
		catch (SharedTierUnavailable ex) {
			// counted as a fallback; the local cache still holds what matters
		}
	}

	CircuitBreaker.State state() {
		return this.breaker.getState();
	}

}
