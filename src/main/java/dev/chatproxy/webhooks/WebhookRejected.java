package dev.chatproxy.webhooks;

import dev.chatproxy.system.ProblemType;

import org.springframework.web.ErrorResponseException;

/**
 * A webhook call that is not accepted: no or a wrong secret, a body too large or not
 * JSON.
 */
class WebhookRejected extends ErrorResponseException {

	private WebhookRejected(ProblemType type, String detail) {
		super(type.status(), type.problem(detail), null);
	}

	static WebhookRejected missingSecret(String header) {
		return new WebhookRejected(ProblemType.MISSING_CREDENTIALS,
				"The webhook secret is missing from the " + header + " header.");
	}

	static WebhookRejected wrongSecret(String header) {
		return new WebhookRejected(ProblemType.INVALID_CREDENTIALS,
				"The webhook secret in the " + header + " header is wrong.");
	}

	static WebhookRejected tooLarge(int maxBytes) {
		return new WebhookRejected(ProblemType.PAYLOAD_TOO_LARGE, "A webhook event is at most " + maxBytes + " bytes.");
	}

	static WebhookRejected malformed(String detail) {
		return new WebhookRejected(ProblemType.INVALID_PARAMETERS, detail);
	}

}
