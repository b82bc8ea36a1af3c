package dev.chatproxy.upstream;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;

/**
 * Answered while the fleet is paused after postpress' 429: its status and type, with the
 * time left as {@code Retry-After}. Unlike a 429 passed on by a single replica, a stale
 * page may be served instead.
 */
public final class UpstreamPauseInForce extends UpstreamProblem {

	UpstreamPauseInForce(String type, String title, @Nullable String detail, Duration retryAfter) {
		super(HttpStatus.TOO_MANY_REQUESTS, type, title, (detail != null) ? detail
				: "postpress is rate limiting this service; calls to it are paused. Retry later.", retryAfter);
	}

}
