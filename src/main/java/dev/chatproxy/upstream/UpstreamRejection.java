package dev.chatproxy.upstream;

import java.time.Duration;

import dev.chatproxy.system.ProblemType;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;

/**
 * postpress refused the request (401, 403, 404, 429, or another 4xx): never retried,
 * never counted against its health.
 */
public final class UpstreamRejection extends UpstreamProblem {

	UpstreamRejection(HttpStatus status, String type, String title, @Nullable String detail,
			@Nullable Duration retryAfter) {
		super(status, type, title, detail, retryAfter);
	}

	UpstreamRejection(ProblemType type, HttpStatus status, @Nullable String detail, @Nullable Duration retryAfter) {
		super(type, status, detail, retryAfter);
	}

}
