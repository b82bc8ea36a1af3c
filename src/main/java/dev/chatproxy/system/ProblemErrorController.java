package dev.chatproxy.system;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * Answers, in the error envelope, the errors that never reach a controller: requests the
 * server itself rejects (a malformed URI, an encoded slash) and exceptions thrown in
 * filters. An {@link ErrorResponse} thrown in a filter keeps its own problem; a bare
 * status is translated through {@link ProblemType}. Replaces Boot's Whitelabel page.
 */
@RestController
class ProblemErrorController implements ErrorController {

	private final Problems problems;

	ProblemErrorController(Problems problems) {
		this.problems = problems;
	}

	@RequestMapping("${server.error.path:/error}")
	ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
		ErrorResponse error = errorResponse(request.getAttribute(RequestDispatcher.ERROR_EXCEPTION));
		if (error == null) {
			// what Spring MVC answered with a bare sendError, such as a rejected CORS
			// preflight, which no exception handler applies to
			error = errorResponse(request.getAttribute(DispatcherServlet.EXCEPTION_ATTRIBUTE));
		}
		if (error != null) {
			return this.problems.answer(request, error);
		}
		Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
		int status = (code instanceof Integer value && value >= 400 && value < 600) ? value : 500;
		// a filter that answered with sendError may have left its detail for this page
		String detail = (request.getAttribute(PathParameterFilter.DETAIL) instanceof String text) ? text : null;
		return this.problems.answer(request, ProblemType.forStatus(status), HttpStatusCode.valueOf(status), detail);
	}

	/** The container wraps what a filter throws: look for the problem in the causes. */
	private static @Nullable ErrorResponse errorResponse(@Nullable Object exception) {
		Throwable cause = (exception instanceof Throwable throwable) ? throwable : null;
		while (cause != null) {
			if (cause instanceof ErrorResponse error) {
				return error;
			}
			cause = (cause.getCause() != cause) ? cause.getCause() : null;
		}
		return null;
	}

}
