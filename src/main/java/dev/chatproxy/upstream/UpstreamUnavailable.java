package dev.chatproxy.upstream;

import java.time.Duration;

import org.springframework.http.HttpStatus;

/**
 * Answered without calling postpress: its circuit is open, or too many calls are already
 * in flight.
 */
public final class UpstreamUnavailable extends UpstreamException {

	UpstreamUnavailable(String detail, Duration retryAfter) {
		super(HttpStatus.SERVICE_UNAVAILABLE, "errors/service_unavailable", "Service unavailable", detail, retryAfter);
	}

}
