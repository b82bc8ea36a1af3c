package dev.chatproxy.upstream;

import org.springframework.http.HttpStatus;

/**
 * postpress answered something that is neither a {@code ChatList} nor an error envelope
 * it documents: counted by the circuit breaker, not retried.
 */
public final class UpstreamBadResponse extends UpstreamException {

	static final String TYPE = "errors/bad_upstream_response";

	static final String TITLE = "Bad upstream response";

	UpstreamBadResponse(String detail) {
		super(HttpStatus.BAD_GATEWAY, TYPE, TITLE, detail, null);
	}

}
