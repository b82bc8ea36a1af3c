package dev.chatproxy.webhooks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.chatproxy.support.Postpress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Without {@code proxy.webhook.secret} (or with a blank one) the webhook does not exist:
 * it can never be an unauthenticated way to touch the cache.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "proxy.webhook.secret=  ")
class WebhookDisabledIntegrationTests {

	@RegisterExtension
	static WireMockExtension postpress = Postpress.server();

	@DynamicPropertySource
	static void postpressProperties(DynamicPropertyRegistry registry) {
		Postpress.configure(registry, postpress);
	}

	@LocalServerPort
	int port;

	@Test
	void webhookRouteIsUnknownWithoutASecret() throws Exception {
		HttpRequest request = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/webhooks/postpress"))
			.header("X-Webhook-Secret", "  ")
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"event\":\"message_received\",\"chat_id\":\"c\"}"))
			.build();

		HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());

		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(response.body()).contains("\"type\":\"errors/resource_not_found\"");
	}

}
