package dev.chatproxy.events;

import java.time.Duration;

import dev.chatproxy.system.ProblemType;

import org.springframework.http.HttpHeaders;
import org.springframework.web.ErrorResponseException;

/**
 * A stream refused because this replica holds as many as it may, or is shutting down: 503
 * {@code errors/service_unavailable} with {@code Retry-After}, so that the client tries
 * again, on this replica or another.
 */
public class TooManyStreams extends ErrorResponseException {

	TooManyStreams(String detail, Duration retryAfter) {
		super(ProblemType.SERVICE_UNAVAILABLE.status(), ProblemType.SERVICE_UNAVAILABLE.problem(detail), null);
		getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, retryAfter.toSeconds())));
	}

	@Override
	public synchronized Throwable fillInStackTrace() {
		return this;
	}

}
