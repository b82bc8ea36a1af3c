package dev.chatproxy.upstream;

import java.time.Duration;

import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.core.functions.Either;

/**
 * Wait before a retry: the configured backoff, or postpress' {@code Retry-After} when it
 * asks for longer; no retry at all when the wait would run past the request's deadline.
 */
class RetryAfterInterval implements IntervalBiFunction<Object> {

	/** Time a retried attempt needs, at the least, to be worth making. */
	private static final long MIN_ATTEMPT_NANOS = Duration.ofMillis(50).toNanos();

	private final IntervalBiFunction<Object> backoff;

	RetryAfterInterval(IntervalBiFunction<Object> backoff) {
		this.backoff = backoff;
	}

	@Override
	public Long apply(Integer attempt, Either<Throwable, Object> outcome) {
		long waitMillis = this.backoff.apply(attempt, outcome);
		if (outcome.isLeft() && outcome.getLeft() instanceof UpstreamFailure failure) {
			if (failure.retryAfter() != null) {
				waitMillis = Math.max(waitMillis, failure.retryAfter().toMillis());
			}
			long retryStartsAt = System.nanoTime() + Duration.ofMillis(waitMillis).toNanos();
			if (retryStartsAt + MIN_ATTEMPT_NANOS > failure.deadlineNanos()) {
				return -1L;
			}
		}
		return waitMillis;
	}

}
