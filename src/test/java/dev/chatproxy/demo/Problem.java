package dev.chatproxy.demo;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The postpress error types the simulator answers with, in the seed's error envelope.
 */
enum Problem {

	INVALID_PARAMETERS(400, "invalid_parameters", "Invalid parameters", "The request parameters are invalid."),

	INVALID_CREDENTIALS(401, "invalid_credentials", "Invalid credentials", "The provided credentials are invalid."),

	MISSING_CREDENTIALS(401, "missing_credentials", "Missing credentials",
			"Some credentials are necessary to perform the request."),

	ACCOUNT_RESTRICTED(403, "account_restricted", "Account restricted",
			"The account has been restricted by the provider."),

	RESOURCE_NOT_FOUND(404, "resource_not_found", "Resource not found", "The requested attendee was not found."),

	INVALID_RESOURCE_IDENTIFIER(404, "invalid_resource_identifier", "Invalid resource identifier",
			"The provided identifier is not a valid attendee id."),

	METHOD_NOT_ALLOWED(405, "method_not_allowed", "Method not allowed", "Only GET is supported."),

	TOO_MANY_REQUESTS(429, "too_many_requests", "Too many requests", "Too many requests. Retry later."),

	UNEXPECTED_ERROR(500, "unexpected_error", "Unexpected error", "Something went wrong."),

	SERVICE_UNAVAILABLE(503, "service_unavailable", "Service unavailable",
			"Service temporarily unavailable. Retry later."),

	REQUEST_TIMEOUT(504, "request_timeout", "Request timeout",
			"Request timed out. Retry, and contact support if it persists.");

	private final int status;

	private final String type;

	private final String title;

	private final String description;

	Problem(int status, String type, String title, String description) {
		this.status = status;
		this.type = "errors/" + type;
		this.title = title;
		this.description = description;
	}

	/**
	 * The problem the error mode answers with for a status: the first one of that status.
	 * @param status an HTTP status
	 * @return the problem, empty when the error mode does not support this status
	 */
	static Optional<Problem> forErrorMode(int status) {
		return Arrays.stream(values())
			.filter((problem) -> problem.status == status && problem != INVALID_PARAMETERS
					&& problem != METHOD_NOT_ALLOWED)
			.findFirst();
	}

	/**
	 * This problem with its generic description as {@code detail}.
	 * @param requestId the request id for {@code instance}
	 * @return the response
	 */
	Response response(String requestId) {
		return response(this.description, requestId);
	}

	Response response(String detail, String requestId) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("type", this.type);
		body.put("title", this.title);
		body.put("status", this.status);
		body.put("detail", detail);
		body.put("instance", requestId);
		return Response.json(this.status, Json.write(body));
	}

}
