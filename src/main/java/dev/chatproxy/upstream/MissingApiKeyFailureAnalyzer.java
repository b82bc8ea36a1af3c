package dev.chatproxy.upstream;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a missing API key into a one-line start-up failure that names the variable.
 */
class MissingApiKeyFailureAnalyzer extends AbstractFailureAnalyzer<MissingApiKey> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, MissingApiKey cause) {
		return new FailureAnalysis(MissingApiKey.MESSAGE,
				"Set the environment variable POSTPRESS_API_KEY, or run the demo with ./mvnw spring-boot:test-run",
				cause);
	}

}
