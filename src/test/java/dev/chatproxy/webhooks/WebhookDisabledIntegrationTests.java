package dev.chatproxy.webhooks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import dev.chatproxy.support.ProxyClient;
import dev.chatproxy.support.ProxyIntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Without {@code proxy.webhook.secret} (or with a blank one) the webhook does not exist:
 * it can never be an unauthenticated way to touch the cache.
 */
@ProxyIntegrationTest
@TestPropertySource(properties = "proxy.webhook.secret=  ")
class WebhookDisabledIntegrationTests {

	@Autowired
	ProxyClient proxy;

	@Test
	void webhookRouteIsUnknownWithoutASecret() throws Exception {
		HttpRequest request = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + this.proxy.port() + "/webhooks/postpress"))
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
