package dev.chatproxy.fleet;

import dev.chatproxy.system.ProblemType;

import org.springframework.web.ErrorResponseException;

/**
 * The replica that fetches a page for the fleet did not deliver it within
 * {@code postpress.deadline}.
 */
class SharedFetchTimeout extends ErrorResponseException {

	SharedFetchTimeout() {
		super(ProblemType.REQUEST_TIMEOUT.status(), ProblemType.REQUEST_TIMEOUT.problem(null), null);
	}

}
