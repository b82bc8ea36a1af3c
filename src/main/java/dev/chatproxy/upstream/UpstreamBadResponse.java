package dev.chatproxy.upstream;

import dev.chatproxy.system.ProblemType;

/**
 * postpress answered something that is neither a {@code ChatList} nor an error envelope
 * it documents: counted by the circuit breaker, not retried.
 */
public final class UpstreamBadResponse extends UpstreamProblem {

	UpstreamBadResponse(String detail) {
		super(ProblemType.BAD_UPSTREAM_RESPONSE, ProblemType.BAD_UPSTREAM_RESPONSE.status(), detail, null);
	}

}
