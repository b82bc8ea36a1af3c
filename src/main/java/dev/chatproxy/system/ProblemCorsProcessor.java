package dev.chatproxy.system;

import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.cors.DefaultCorsProcessor;

/**
 * Spring's CORS checks, with rejections answered in the error envelope rather than
 * Spring's plain-text {@code Invalid CORS request}: it throws, and the error advice
 * answers.
 */
class ProblemCorsProcessor extends DefaultCorsProcessor {

	@Override
	protected void rejectRequest(ServerHttpResponse response) {
		throw new ErrorResponseException(ProblemType.CORS_REJECTED.status(), ProblemType.CORS_REJECTED.problem(null),
				null);
	}

}
