package dev.chatproxy.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.chatproxy.support.ProxyClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The demo's story of CONTRACT.md section 10: a message arrives on a chat in the
 * simulated postpress, which posts the event to the proxy's webhook, and the attendee's
 * list shows the chat on top long before its TTL.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "proxy.webhook.secret=" + DemoChatProxyApplication.DEMO_WEBHOOK_SECRET)
class SimulatedWebhookIntegrationTests {

	private static final SimulatedPostpress simulator = SimulatedPostpress.start();

	private static final HttpClient http = HttpClient.newHttpClient();

	private static final Pattern CHAT_ID = Pattern.compile("\"id\":\"(chat_[A-Z0-9]+)\"");

	@DynamicPropertySource
	static void simulatorProperties(DynamicPropertyRegistry registry) {
		registry.add("postpress.base-url", simulator::baseUrl);
		registry.add("postpress.api-key", () -> SimulatedPostpress.DEMO_API_KEY);
	}

	@LocalServerPort
	int port;

	@BeforeEach
	void pointTheSimulatorAtTheWebhook() {
		simulator.webhook(URI.create("http://127.0.0.1:" + this.port + "/webhooks/postpress"),
				DemoChatProxyApplication.DEMO_WEBHOOK_SECRET);
	}

	@AfterAll
	static void stopSimulator() {
		simulator.close();
	}

	@Test
	void messageOnAChatRefreshesTheListOfItsAttendeeBeforeTheTtl() throws Exception {
		ProxyClient proxy = new ProxyClient(this.port);
		String path = "/attendees/" + ChatDataset.SAM + "/chats";
		HttpResponse<String> before = proxy.get(path);
		String lastChat = lastChatId(before.body());
		assertThat(firstChatId(before.body())).isNotEqualTo(lastChat);
		assertThat(proxy.get(path).headers().firstValue("Cache-Status").orElseThrow())
			.matches("chat-proxy; hit; ttl=\\d+");

		HttpResponse<String> message = post(simulator.controlUrl() + "/message?chat_id=" + lastChat);

		assertThat(message.statusCode()).isEqualTo(200);
		assertThat(message.body()).contains("\"webhook_status\":200", "\"chat_id\":\"" + lastChat + "\"");
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			HttpResponse<String> after = proxy.get(path);
			assertThat(firstChatId(after.body())).isEqualTo(lastChat);
			assertThat(after.headers().firstValue("Cache-Status").orElseThrow()).matches("chat-proxy; hit; ttl=\\d+");
		});
	}

	@Test
	void messageRaisesTheUnreadCountAndMovesTheChatToTheTop() throws Exception {
		SimulatedPostpress alone = SimulatedPostpress.start();
		try {
			String page = get(alone.baseUrl() + "/chat_attendees/" + ChatDataset.MEI + "/chats?limit=250");
			String lastChat = lastChatId(page);

			HttpResponse<String> first = post(alone.controlUrl() + "/message?chat_id=" + lastChat);
			HttpResponse<String> second = post(alone.controlUrl() + "/message?chat_id=" + lastChat);
			HttpResponse<String> unknown = post(alone.controlUrl() + "/message?chat_id=chat_UNKNOWN");

			assertThat(first.body()).contains("\"webhook_status\":0");
			String secondBody = second.body();
			String after = get(alone.baseUrl() + "/chat_attendees/" + ChatDataset.MEI + "/chats?limit=250");
			assertThat(firstChatId(after)).isEqualTo(lastChat);
			int unread = Integer.parseInt(secondBody.replaceAll(".*\"unread_count\":(\\d+).*", "$1"));
			assertThat(after).contains("\"unread_count\":" + unread);
			assertThat(secondBody).contains("\"unread_count\":" + unread);
			assertThat(first.body()).contains("\"unread_count\":" + (unread - 1));
			assertThat(unknown.statusCode()).isEqualTo(404);
		}
		finally {
			alone.close();
		}
	}

	private static String firstChatId(String page) {
		Matcher matcher = CHAT_ID.matcher(page);
		assertThat(matcher.find()).isTrue();
		return matcher.group(1);
	}

	private static String lastChatId(String page) {
		Matcher matcher = CHAT_ID.matcher(page);
		String last = null;
		while (matcher.find()) {
			last = matcher.group(1);
		}
		assertThat(last).isNotNull();
		return last;
	}

	private static String get(String url) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create(url))
			.header("X-API-KEY", SimulatedPostpress.DEMO_API_KEY)
			.build();
		HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return response.body();
	}

	private static HttpResponse<String> post(String url) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create(url))
			.POST(HttpRequest.BodyPublishers.noBody())
			.timeout(Duration.ofSeconds(10))
			.build();
		return http.send(request, HttpResponse.BodyHandlers.ofString());
	}

}
