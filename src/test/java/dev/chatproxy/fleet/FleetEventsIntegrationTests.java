package dev.chatproxy.fleet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.chatproxy.support.EventStreamClient;
import dev.chatproxy.support.EventStreamClient.Event;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Live updates in fleet mode (CONTRACT.md section 13): a webhook received by one replica
 * reaches the streams held by every replica, once each, after one refresh of the first
 * page between them all.
 */
class FleetEventsIntegrationTests {

	private static final String SECRET = "whsec_fleet_events_0123";

	private static final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	@RegisterExtension
	static RedisServer redis = new RedisServer();

	private static final WireMockServer postpress = Postpress.server();

	static List<Replica> replicas = new ArrayList<>();

	@BeforeAll
	static void startFleet() {
		postpress.resetAll();
		for (int i = 0; i < 3; i++) {
			replicas.add(Replica.start(redis, postpress, "proxy.cache.redis-timeout=1s",
					"proxy.webhook.secret=" + SECRET, "proxy.webhook.min-refresh-interval=50ms"));
		}
		replicas.forEach(Replica::awaitSubscribed);
	}

	@AfterAll
	static void stopFleet() {
		replicas.forEach(Replica::close);
	}

	@Test
	void webhookOnOneReplicaIsOneEventOnTheStreamsOfEveryReplicaAfterOneRefreshBetweenThem() {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(2, null)));
		for (Replica replica : replicas) {
			replica.get("/attendees/att_1/chats");
		}
		int calls = postpressCalls();
		List<EventStreamClient> streams = new ArrayList<>();
		try {
			for (Replica replica : replicas) {
				streams.add(EventStreamClient.open(replica.port(), "/attendees/att_1/chats/events"));
			}

			webhook(replicas.get(0), "chat_1");
			for (EventStreamClient stream : streams) {
				Event event = stream.awaitEvents(1).get(0);
				assertThat(event.name()).isEqualTo("chats-changed");
				assertThat(event.data()).contains("\"chat_id\":\"chat_1\"", "\"account_id\":\"acc_1\"");
			}
			// at most one refresh between the three replicas (none when the shared tier
			// already
			// answers the page fresh)
			assertThat(postpressCalls()).as("refreshes between the three replicas").isLessThanOrEqualTo(calls + 1);
			for (Replica replica : replicas) {
				assertThat(replica.get("/attendees/att_1/chats").headers().firstValue("Cache-Status"))
					.hasValueSatisfying((status) -> assertThat(status).startsWith("chat-proxy; hit; ttl="));
			}

			// a second webhook, on another replica, comes next on every stream: the first
			// was not sent twice
			webhook(replicas.get(2), "chat_2");
			for (EventStreamClient stream : streams) {
				assertThat(stream.awaitEvents(2)).map(Event::data)
					.satisfiesExactly((first) -> assertThat(first).contains("\"chat_id\":\"chat_1\""),
							(second) -> assertThat(second).contains("\"chat_id\":\"chat_2\""));
			}
		}
		finally {
			streams.forEach(EventStreamClient::close);
		}
	}

	private static int postpressCalls() {
		return postpress.findAll(getRequestedFor(urlPathEqualTo(Postpress.BASE_PATH + "/chat_attendees/att_1/chats")))
			.size();
	}

	private static void webhook(Replica replica, String chatId) {
		String json = """
				{"event": "message_received", "account_id": "acc_1", "chat_id": "%s",
				 "sender": {"attendee_id": "att_sender"}, "attendees": [{"attendee_id": "att_1"}]}""".formatted(chatId);
		HttpRequest request = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + replica.port() + "/webhooks/postpress"))
			.header("X-Webhook-Secret", SECRET)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build();
		try {
			assertThat(http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
