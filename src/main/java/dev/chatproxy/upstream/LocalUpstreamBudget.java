package dev.chatproxy.upstream;

import java.time.Duration;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import reactor.core.publisher.Mono;

/**
 * The budget of this replica alone: a lock-free in-process token bucket (Bucket4j) that
 * refills continuously.
 */
public final class LocalUpstreamBudget implements UpstreamBudget {

	private final Bucket bucket;

	LocalUpstreamBudget(PostpressProperties.RateLimit rateLimit, TimeMeter clock) {
		this.bucket = Bucket.builder()
			.addLimit((limit) -> limit.capacity(rateLimit.capacity()).refillGreedy(1, rateLimit.refillPeriod()))
			.withCustomTimePrecision(clock)
			.build();
	}

	/**
	 * A bucket on the system's monotonic clock.
	 * @param rateLimit the configured budget, which must be enabled
	 * @return the bucket
	 */
	public static LocalUpstreamBudget of(PostpressProperties.RateLimit rateLimit) {
		return new LocalUpstreamBudget(rateLimit, TimeMeter.SYSTEM_NANOTIME);
	}

	@Override
	public Mono<Duration> tryAcquire() {
		return Mono.fromSupplier(this::take);
	}

	/**
	 * Takes one token if there is one.
	 * @return {@link Duration#ZERO} when a token was taken, else the time until one is
	 */
	Duration take() {
		ConsumptionProbe probe = this.bucket.tryConsumeAndReturnRemaining(1);
		return probe.isConsumed() ? Duration.ZERO : Duration.ofNanos(Math.max(1, probe.getNanosToWaitForRefill()));
	}

}
