package dev.chatproxy.callers;

import java.net.URI;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A caller asked for accounts its token does not grant: answered 403 before postpress is
 * called.
 */
class InsufficientPermissionsException extends ErrorResponseException {

	static final String TYPE = "errors/insufficient_permissions";

	static final String TITLE = "Insufficient permissions";

	InsufficientPermissionsException(String detail) {
		super(HttpStatus.FORBIDDEN, problem(detail), null);
	}

	private static ProblemDetail problem(String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, detail);
		problem.setType(URI.create(TYPE));
		problem.setTitle(TITLE);
		return problem;
	}

}
