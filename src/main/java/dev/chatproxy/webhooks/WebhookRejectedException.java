package dev.chatproxy.webhooks;

import java.net.URI;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A webhook call that is not accepted: no or a wrong secret, a body too large or not
 * JSON.
 */
class WebhookRejectedException extends ErrorResponseException {

	private WebhookRejectedException(HttpStatus status, String type, String title, String detail) {
		super(status, problem(status, type, title, detail), null);
	}

	static WebhookRejectedException missingSecret(String header) {
		return new WebhookRejectedException(HttpStatus.UNAUTHORIZED, "errors/missing_credentials",
				"Missing credentials", "The webhook secret is missing from the " + header + " header.");
	}

	static WebhookRejectedException wrongSecret(String header) {
		return new WebhookRejectedException(HttpStatus.UNAUTHORIZED, "errors/invalid_credentials",
				"Invalid credentials", "The webhook secret in the " + header + " header is wrong.");
	}

	static WebhookRejectedException tooLarge(int maxBytes) {
		return new WebhookRejectedException(HttpStatus.CONTENT_TOO_LARGE, "errors/payload_too_large",
				"Payload too large", "A webhook event is at most " + maxBytes + " bytes.");
	}

	static WebhookRejectedException malformed(String detail) {
		return new WebhookRejectedException(HttpStatus.BAD_REQUEST, "errors/invalid_parameters", "Invalid parameters",
				detail);
	}

	private static ProblemDetail problem(HttpStatus status, String type, String title, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setType(URI.create(type));
		problem.setTitle(title);
		return problem;
	}

}
