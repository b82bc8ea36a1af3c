package dev.chatproxy.system;

import dev.chatproxy.chats.InvalidParameterException;
import dev.chatproxy.upstream.UpstreamException;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.async.AsyncRequestTimeoutException;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * The one table from causes to error answers (CONTRACT.md section 5).
 */
@RestControllerAdvice
class ProblemDetailsAdvice {

	private static final Logger logger = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

	@ExceptionHandler
	ResponseEntity<ProblemDetail> invalidParameter(InvalidParameterException ex, HttpServletRequest request) {
		return Problems.of(request, HttpStatus.BAD_REQUEST, "errors/invalid_parameters", "Invalid parameters",
				ex.getMessage());
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> upstream(UpstreamException ex, HttpServletRequest request) {
		logger.warn("postpress call failed: status={} type={}", ex.status().value(), ex.type());
		HttpHeaders headers = new HttpHeaders();
		if (ex.retryAfter() != null) {
			headers.set(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, ex.retryAfter().toSeconds())));
		}
		return Problems.of(request, ex.status(), ex.type(), ex.title(), ex.detail(), headers);
	}

	@ExceptionHandler({ NoHandlerFoundException.class, NoResourceFoundException.class })
	ResponseEntity<ProblemDetail> notFound(HttpServletRequest request) {
		return Problems.of(request, HttpStatus.NOT_FOUND, "errors/resource_not_found", "Not found",
				"No such resource. The API is GET /attendees/{attendee_id}/chats.");
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> methodNotAllowed(HttpRequestMethodNotSupportedException ex,
			HttpServletRequest request) {
		HttpHeaders headers = new HttpHeaders();
		if (ex.getSupportedHttpMethods() != null) {
			headers.setAllow(ex.getSupportedHttpMethods());
		}
		return Problems.of(request, HttpStatus.METHOD_NOT_ALLOWED, "errors/method_not_allowed", "Method not allowed",
				"Method " + ex.getMethod() + " is not allowed here; use GET.", headers);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> notAcceptable(HttpMediaTypeNotAcceptableException ex, HttpServletRequest request) {
		return Problems.of(request, HttpStatus.NOT_ACCEPTABLE, "errors/not_acceptable", "Not acceptable",
				"This API answers application/json only.");
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> asyncTimeout(AsyncRequestTimeoutException ex, HttpServletRequest request) {
		return Problems.of(request, HttpStatus.GATEWAY_TIMEOUT, "errors/request_timeout", "Request timed out",
				"postpress did not answer in time. Retry, and contact support if it persists.");
	}

	/**
	 * Any exception that carries its own problem (Spring's {@code ErrorResponse}): its
	 * status, type, title, detail and headers, with the request id as {@code instance}.
	 */
	@ExceptionHandler
	ResponseEntity<ProblemDetail> errorResponse(ErrorResponseException ex, HttpServletRequest request) {
		ProblemDetail body = ex.getBody();
		HttpHeaders headers = new HttpHeaders();
		headers.putAll(ex.getHeaders());
		return Problems.of(request, ex.getStatusCode(), String.valueOf(body.getType()),
				(body.getTitle() != null) ? body.getTitle() : "Error", body.getDetail(), headers);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> unexpected(Exception ex, HttpServletRequest request) {
		logger.error("Unexpected failure", ex);
		return Problems.of(request, HttpStatus.INTERNAL_SERVER_ERROR, "errors/unexpected_error", "Unexpected error",
				"Something went wrong in chat-proxy.");
	}

}
