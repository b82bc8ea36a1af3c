package dev.chatproxy.upstream;

import java.time.Duration;

import reactor.core.publisher.Mono;

/**
 * The budget of calls to postpress (CONTRACT.md section 11): each attempt asks it for one
 * token before it is made.
 */
public interface UpstreamBudget {

	/** The budget when none is configured: every attempt may go. */
	UpstreamBudget UNLIMITED = () -> Mono.just(Duration.ZERO);

	/**
	 * Takes one token if there is one, without waiting for it.
	 * @return {@link Duration#ZERO} when a token was taken, else the time until one is
	 * available
	 */
	Mono<Duration> tryAcquire();

	/**
	 * A budget of this replica alone, on the system's monotonic clock.
	 * @param rateLimit the configured budget, which must be enabled
	 * @return the budget
	 */
	static UpstreamBudget local(PostpressProperties.RateLimit rateLimit) {
		return LocalUpstreamBudget.of(rateLimit);
	}

}
