package dev.chatproxy.upstream;

import java.time.Duration;

import dev.chatproxy.system.ProblemType;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;

/**
 * A transient failure of postpress (500, 503, 504, no connection, no answer in time):
 * retried and counted by the circuit breaker.
 */
public final class UpstreamFailure extends UpstreamProblem {

	private final long deadlineNanos;

	UpstreamFailure(HttpStatus status, String type, String title, @Nullable String detail,
			@Nullable Duration retryAfter, long deadlineNanos) {
		super(status, type, title, detail, retryAfter);
		this.deadlineNanos = deadlineNanos;
	}

	UpstreamFailure(ProblemType type, HttpStatus status, @Nullable String detail, @Nullable Duration retryAfter,
			long deadlineNanos) {
		super(type, status, detail, retryAfter);
		this.deadlineNanos = deadlineNanos;
	}

	static UpstreamFailure networkDown(long deadlineNanos) {
		return new UpstreamFailure(ProblemType.NETWORK_DOWN, ProblemType.NETWORK_DOWN.status(), null, null,
				deadlineNanos);
	}

	static UpstreamFailure timeout(long deadlineNanos) {
		return new UpstreamFailure(ProblemType.REQUEST_TIMEOUT, ProblemType.REQUEST_TIMEOUT.status(), null, null,
				deadlineNanos);
	}

	/**
	 * The {@link System#nanoTime()} after which retrying this request is pointless.
	 * @return the deadline of the request that failed
	 */
	long deadlineNanos() {
		return this.deadlineNanos;
	}

}
