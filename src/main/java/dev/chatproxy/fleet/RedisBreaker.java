package dev.chatproxy.fleet;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.micrometer.core.instrument.Counter;
import reactor.core.publisher.Mono;

/**
 * The one way to call Redis: every command, blocking or reactive, runs through the
 * {@value #NAME} circuit breaker, so that a slow or absent Redis costs at most one
 * command timeout, and then nothing, until it answers again.
 * <p>
 * The breaker needs several failures to open; meanwhile, one failed blocking command
 * makes the replica skip Redis for {@value #QUIET_MILLIS} ms, so that a request which
 * meets a hung Redis pays one timeout, not one for each of its commands.
 */
class RedisBreaker {

	/** The Resilience4j circuit breaker around every Redis command. */
	static final String NAME = "redis";

	static final long QUIET_MILLIS = 1000;

	private final CircuitBreaker breaker;

	private final Duration timeout;

	private final Counter fallbacks;

	private volatile long quietUntilNanos = System.nanoTime();

	RedisBreaker(CircuitBreaker breaker, Duration timeout, Counter fallbacks) {
		this.breaker = breaker;
		this.timeout = timeout;
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

	/**
	 * Bounds a reactive command by {@code proxy.cache.redis-timeout} and the breaker; its
	 * caller decides what a failure means.
	 * @param <T> the type of its result
	 * @param command the command
	 * @return the guarded command
	 */
	<T> Mono<T> reactive(Mono<T> command) {
		return command.timeout(this.timeout).transformDeferred(CircuitBreakerOperator.of(this.breaker));
	}

	CircuitBreaker.State state() {
		return this.breaker.getState();
	}

}
