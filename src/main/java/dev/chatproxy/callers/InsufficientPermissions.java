package dev.chatproxy.callers;

import dev.chatproxy.system.ProblemType;

import org.springframework.web.ErrorResponseException;

/**
 * A caller asked for accounts its token does not grant: answered 403 before postpress is
 * called.
 */
class InsufficientPermissions extends ErrorResponseException {

	InsufficientPermissions(String detail) {
		super(ProblemType.INSUFFICIENT_PERMISSIONS.status(), ProblemType.INSUFFICIENT_PERMISSIONS.problem(detail),
				null);
	}

}
