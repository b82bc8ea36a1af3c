package dev.chatproxy.fleet;

import java.net.URI;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * The replica that fetches a page for the fleet did not deliver it within
 * {@code postpress.deadline}.
 */
class SharedFetchTimeout extends ErrorResponseException {

	SharedFetchTimeout() {
		super(HttpStatus.GATEWAY_TIMEOUT, problem(), null);
	}

	private static ProblemDetail problem() {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.GATEWAY_TIMEOUT,
				"postpress did not answer in time. Retry, and contact support if it persists.");
		problem.setType(URI.create("errors/request_timeout"));
		problem.setTitle("Request timed out");
		return problem;
	}

}
