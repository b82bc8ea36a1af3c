package dev.chatproxy.upstream;

import dev.chatproxy.ChatProxyApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Outside the demo, the proxy refuses to start without an API key, and says which
 * variable to set.
 */
@ExtendWith(OutputCaptureExtension.class)
class MissingApiKeyTests {

	@Test
	void startUpWithoutTheKeyFailsNamingTheVariable(CapturedOutput output) {
		SpringApplicationBuilder application = new SpringApplicationBuilder(ChatProxyApplication.class)
			.properties("server.port=0", "management.server.port=0", "postpress.api-key=");

		assertThatException().isThrownBy(application::run).withRootCauseInstanceOf(MissingApiKey.class);
		assertThat(output.getAll()).contains("POSTPRESS_API_KEY is not set")
			.contains("APPLICATION FAILED TO START")
			.doesNotContain("at dev.chatproxy");
	}

	@Test
	void theKeyIsMaskedWhenTheSettingsArePrinted() {
		PostpressProperties properties = new PostpressProperties(java.net.URI.create("http://127.0.0.1"),
				"pp_live_very_secret", java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(1),
				java.time.Duration.ofSeconds(1), org.springframework.util.unit.DataSize.ofMegabytes(1),
				new PostpressProperties.RateLimit(null, null));

		assertThat(properties.toString()).doesNotContain("pp_live_very_secret").contains("******");
	}

}
