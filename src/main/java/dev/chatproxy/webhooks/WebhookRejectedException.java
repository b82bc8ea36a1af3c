package dev.chatproxy.webhooks;

import dev.chatproxy.system.ProblemType;

import org.springframework.web.ErrorResponseException;

/**
 * A webhook call that is not accepted: no or a wrong secret, a body too large or not
 * JSON.
 */
class WebhookRejectedException extends ErrorResponseException {

	private WebhookRejectedException(ProblemType type, String detail) {
		super(type.status(), type.problem(detail), null);
	}

	static WebhookRejectedException missingSecret(String header) {
		return new WebhookRejectedException(ProblemType.MISSING_CREDENTIALS,
				"The webhook secret is missing from the " + header + " header.");
	}

	static WebhookRejectedException wrongSecret(String header) {
		return new WebhookRejectedException(ProblemType.INVALID_CREDENTIALS,
				"The webhook secret in the " + header + " header is wrong.");
	}

	static WebhookRejectedException tooLarge(int maxBytes) {
		return new WebhookRejectedException(ProblemType.PAYLOAD_TOO_LARGE,
				"A webhook event is at most " + maxBytes + " bytes.");
	}

	static WebhookRejectedException malformed(String detail) {
		return new WebhookRejectedException(ProblemType.INVALID_PARAMETERS, detail);
	}

}
