package dev.chatproxy.upstream;

/**
 * Thrown at start-up when no postpress API key is configured.
 */
class MissingApiKey extends IllegalStateException {

	static final String MESSAGE = "POSTPRESS_API_KEY is not set: chat-proxy needs the postpress API key "
			+ "(property postpress.api-key) to start";

	MissingApiKey() {
		super(MESSAGE);
	}

}
