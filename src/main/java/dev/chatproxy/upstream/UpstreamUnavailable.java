package dev.chatproxy.upstream;

import java.time.Duration;

import dev.chatproxy.system.ProblemType;

/**
 * Answered without calling postpress: its circuit is open, or too many calls are already
 * in flight.
 */
public final class UpstreamUnavailable extends UpstreamProblem {

	UpstreamUnavailable(String detail, Duration retryAfter) {
		super(ProblemType.SERVICE_UNAVAILABLE, ProblemType.SERVICE_UNAVAILABLE.status(), detail, retryAfter);
	}

}
