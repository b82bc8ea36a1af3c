package dev.chatproxy.upstream;

import org.springframework.http.HttpStatus;

/**
 * postpress answered something that is neither a {@code ChatList} nor an error envelope
 * it documents: counted by the circuit breaker, not retried.
 */
public final class UpstreamBadResponse extends UpstreamException {

	UpstreamBadResponse(String detail) {
		super(HttpStatus.BAD_GATEWAY, "errors/bad_upstream_response", "Bad upstream response", detail, null);
	}

}
