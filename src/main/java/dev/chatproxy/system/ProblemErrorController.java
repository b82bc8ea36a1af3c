package dev.chatproxy.system;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Answers, in the error envelope, the errors that never reach a controller: requests the
 * server itself rejects (a malformed URI, an encoded slash), and failures in filters.
 * Replaces Boot's Whitelabel page.
 */
@RestController
class ProblemErrorController implements ErrorController {

	@RequestMapping("${server.error.path:/error}")
	ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
		Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
		HttpStatus status = (code instanceof Integer value && HttpStatus.resolve(value) != null)
				? HttpStatus.valueOf(value) : HttpStatus.INTERNAL_SERVER_ERROR;
		return switch (status) {
			case NOT_FOUND -> Problems.of(request, status, "errors/resource_not_found", "Not found",
					"No such resource. The API is GET /attendees/{attendee_id}/chats.");
			case BAD_REQUEST -> Problems.of(request, status, "errors/invalid_parameters", "Invalid parameters",
					(request.getAttribute(PathParameterGuard.DETAIL) instanceof String detail) ? detail
							: "The request could not be parsed.");
			case METHOD_NOT_ALLOWED ->
				Problems.of(request, status, "errors/method_not_allowed", "Method not allowed", "Use GET.");
			default -> status.is4xxClientError()
					? Problems.of(request, status, "errors/invalid_request", status.getReasonPhrase(), null)
					: Problems.of(request, status, "errors/unexpected_error", "Unexpected error",
							"Something went wrong in chat-proxy.");
		};
	}

}
