package dev.chatproxy.upstream;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;

/**
 * A transient failure of postpress (500, 503, 504, no connection, no answer in time):
 * retried and counted by the circuit breaker.
 */
public final class UpstreamFailure extends UpstreamException {

	private final long deadlineNanos;

	UpstreamFailure(HttpStatus status, String type, String title, @Nullable String detail,
			@Nullable Duration retryAfter, long deadlineNanos) {
		super(status, type, title, detail, retryAfter);
		this.deadlineNanos = deadlineNanos;
	}

	static UpstreamFailure networkDown(long deadlineNanos) {
		return new UpstreamFailure(HttpStatus.SERVICE_UNAVAILABLE, "errors/network_down", "Network down",
				"postpress could not be reached. Retry shortly.", null, deadlineNanos);
	}

	static UpstreamFailure timeout(long deadlineNanos) {
		return new UpstreamFailure(HttpStatus.GATEWAY_TIMEOUT, "errors/request_timeout", "Request timed out",
				"postpress did not answer in time. Retry, and contact support if it persists.", null, deadlineNanos);
	}

	/**
	 * The {@link System#nanoTime()} after which retrying this request is pointless.
	 * @return the deadline of the request that failed
	 */
	long deadlineNanos() {
		return this.deadlineNanos;
	}

}
