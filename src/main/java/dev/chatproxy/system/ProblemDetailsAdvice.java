package dev.chatproxy.system;

import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;

/**
 * Answers every exception that reaches Spring MVC in the error envelope: the project's
 * exceptions and Spring's own rejections carry their problem ({@link ErrorResponse});
 * anything else is an unexpected 500. Knows no feature package: the causes carry their
 * type, {@link ProblemType} holds the types chat-proxy answers with itself.
 */
@RestControllerAdvice
class ProblemDetailsAdvice {

	private static final Logger logger = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

	private final Problems problems;

	ProblemDetailsAdvice(Problems problems) {
		this.problems = problems;
	}

	/**
	 * A caller that went away before its answer was written (a closed connection): there
	 * is no one to answer and nothing wrong with the proxy, so no error and no stack
	 * trace.
	 */
	@ExceptionHandler
	void callerGone(AsyncRequestNotUsableException ex) {
		logger.debug("The caller went away before its answer was written: {}", ex.getMessage());
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> problem(Exception ex, HttpServletRequest request) {
		if (ex instanceof ErrorResponse error) {
			ResponseEntity<ProblemDetail> answer = this.problems.answer(request, error);
			ProblemDetail problem = answer.getBody();
			if (answer.getStatusCode().is5xxServerError() && problem != null) {
				// the type only, no message: an upstream failure's text may quote
				// postpress
				logger.warn("Answered {} {}", answer.getStatusCode().value(), problem.getType());
			}
			return answer;
		}
		logger.error("Unexpected failure", ex);
		return this.problems.answer(request, ProblemType.UNEXPECTED_ERROR, HttpStatus.INTERNAL_SERVER_ERROR, null);
	}

}
