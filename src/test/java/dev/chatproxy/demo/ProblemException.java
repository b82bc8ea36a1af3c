package dev.chatproxy.demo;

/**
 * Ends a simulated request with a postpress error.
 */
class ProblemException extends RuntimeException {

	private final Problem problem;

	ProblemException(Problem problem, String detail) {
		super(detail);
		this.problem = problem;
	}

	Response response(String requestId) {
		return this.problem.response(getMessage(), requestId);
	}

}
