package dev.chatproxy.system;

import java.net.URI;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;

/**
 * The one table of the error types chat-proxy answers with on its own (CONTRACT.md
 * section 5): each type with its status, title and the detail used when the cause gives
 * none. Errors passed on from postpress keep postpress' type instead.
 */
public enum ProblemType {

	/** A request input broke a rule of CONTRACT.md section 1. */
	INVALID_PARAMETERS(HttpStatus.BAD_REQUEST, "errors/invalid_parameters", "Invalid parameters",
			"The request could not be parsed."),

	/** Another client error that the server rejected before any controller saw it. */
	INVALID_REQUEST(HttpStatus.BAD_REQUEST, "errors/invalid_request", "Invalid request",
			"The request could not be handled."),

	/**
	 * The origin of a browser request is not allowed, or asks for what is not allowed.
	 */
	CORS_REJECTED(HttpStatus.FORBIDDEN, "errors/cors_rejected", "Cross-origin request rejected",
			"This origin, method or header is not allowed to call the API."),

	/** A caller sent no credentials where the route needs them. */
	MISSING_CREDENTIALS(HttpStatus.UNAUTHORIZED, "errors/missing_credentials", "Missing credentials",
			"This request needs credentials."),

	/** A caller sent credentials that are not accepted. */
	INVALID_CREDENTIALS(HttpStatus.UNAUTHORIZED, "errors/invalid_credentials", "Invalid credentials",
			"The credentials are not valid."),

	/** A caller's credentials do not allow what it asked for. */
	INSUFFICIENT_PERMISSIONS(HttpStatus.FORBIDDEN, "errors/insufficient_permissions", "Insufficient permissions",
			"The credentials do not allow this request."),

	/**
	 * No route (the writer adds the routes of the API, which only their packages know).
	 */
	RESOURCE_NOT_FOUND(HttpStatus.NOT_FOUND, "errors/resource_not_found", "Not found", "No such resource."),

	/** A route that exists, called with the wrong method. */
	METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED, "errors/method_not_allowed", "Method not allowed", "Use GET."),

	/** The caller accepts nothing that this API answers. */
	NOT_ACCEPTABLE(HttpStatus.NOT_ACCEPTABLE, "errors/not_acceptable", "Not acceptable",
			"This API answers application/json only."),

	/** A request body over the size a route accepts. */
	PAYLOAD_TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE, "errors/payload_too_large", "Payload too large",
			"The request body is too large."),

	/** postpress is rate limiting this service and did not say why. */
	TOO_MANY_REQUESTS(HttpStatus.TOO_MANY_REQUESTS, "errors/too_many_requests", "Too many requests",
			"postpress is rate limiting this service. Retry later."),

	/** A failure of chat-proxy itself. */
	UNEXPECTED_ERROR(HttpStatus.INTERNAL_SERVER_ERROR, "errors/unexpected_error", "Unexpected error",
			"Something went wrong in chat-proxy."),

	/** postpress answered something that is not a valid envelope or page. */
	BAD_UPSTREAM_RESPONSE(HttpStatus.BAD_GATEWAY, "errors/bad_upstream_response", "Bad upstream response",
			"postpress answered something chat-proxy cannot read."),

	/** postpress could not be reached. */
	NETWORK_DOWN(HttpStatus.SERVICE_UNAVAILABLE, "errors/network_down", "Network down",
			"postpress could not be reached. Retry shortly."),

	/** Calls to postpress are paused or refused by chat-proxy's own limits. */
	SERVICE_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "errors/service_unavailable", "Service unavailable",
			"postpress is unavailable. Retry later."),

	/** postpress did not answer in time. */
	REQUEST_TIMEOUT(HttpStatus.GATEWAY_TIMEOUT, "errors/request_timeout", "Request timed out",
			"postpress did not answer in time. Retry, and contact support if it persists.");

	/**
	 * What every error type of the seed's envelope starts with, chat-proxy's and
	 * postpress' alike.
	 */
	public static final String PREFIX = "errors/";

	private final HttpStatus status;

	private final String type;

	private final String title;

	private final String defaultDetail;

	ProblemType(HttpStatus status, String type, String title, String defaultDetail) {
		this.status = status;
		this.type = type;
		this.title = title;
		this.defaultDetail = defaultDetail;
	}

	/**
	 * The status this type is answered with, unless a cause says otherwise.
	 * @return the status
	 */
	public HttpStatus status() {
		return this.status;
	}

	/**
	 * The type, as it appears in the envelope, such as {@code errors/network_down}.
	 * @return the type
	 */
	public String type() {
		return this.type;
	}

	/**
	 * The short title of the envelope.
	 * @return the title
	 */
	public String title() {
		return this.title;
	}

	/**
	 * The detail used when the cause gives none.
	 * @return the detail
	 */
	public String defaultDetail() {
		return this.defaultDetail;
	}

	/**
	 * The problem for this type with its own status.
	 * @param detail what went wrong, or {@code null} for this type's default detail
	 * @return the problem, without {@code instance} (the request id is added when
	 * answering)
	 */
	public ProblemDetail problem(@Nullable String detail) {
		return problem(this.status, detail);
	}

	/**
	 * The problem for this type with another status, such as a 502 about a 4xx answer.
	 * @param status the status to answer
	 * @param detail what went wrong, or {@code null} for this type's default detail
	 * @return the problem, without {@code instance}
	 */
	public ProblemDetail problem(HttpStatusCode status, @Nullable String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status,
				(detail != null) ? detail : this.defaultDetail);
		problem.setType(URI.create(this.type));
		problem.setTitle(this.title);
		return problem;
	}

	/**
	 * The type for an error that carries only a status: what Tomcat, a filter or Spring
	 * itself rejects before a controller answers.
	 * @param status the status of the rejection
	 * @return the type to answer with
	 */
	public static ProblemType forStatus(int status) {
		return switch (status) {
			case 400 -> INVALID_PARAMETERS;
			case 404 -> RESOURCE_NOT_FOUND;
			case 405 -> METHOD_NOT_ALLOWED;
			case 406 -> NOT_ACCEPTABLE;
			case 503 -> SERVICE_UNAVAILABLE;
			case 504 -> REQUEST_TIMEOUT;
			default -> (status >= 400 && status < 500) ? INVALID_REQUEST : UNEXPECTED_ERROR;
		};
	}

}
