package dev.chatproxy.events;

import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.chatproxy.ChatProxyApplication;
import dev.chatproxy.support.EventStreamClient;
import dev.chatproxy.support.EventStreamClient.Event;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.ProxyClient;
import dev.chatproxy.support.ProxyIntegrationTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.TestPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Live updates (CONTRACT.md section 13) on one replica: webhooks and operators' calls
 * become {@code chats-changed} events on the streams of their attendees, after the first
 * page was refreshed; reconnections replay or reset; streams are bounded, kept alive, and
 * scoped to their accounts.
 */
@ProxyIntegrationTest
@TestPropertySource(properties = { "proxy.webhook.secret=" + Postpress.WEBHOOK_SECRET,
		"proxy.webhook.min-refresh-interval=50ms", "proxy.events.heartbeat=200ms", "proxy.events.max-streams=4",
		"proxy.events.replay-buffer=4", "proxy.events.retry=2s" })
class EventsIntegrationTests {

	private static final WireMockServer postpress = Postpress.server();

	@Autowired
	ProxyClient proxy;

	@BeforeEach
	void noStreamOpen() {
		// streams of an earlier test end once a heartbeat finds their client gone
		await().atMost(Duration.ofSeconds(20)).until(() -> streams() == 0);
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(2, null)));
	}

	@AfterEach
	void letBackgroundFetchesEnd() {
		this.proxy.awaitNoFetchInFlight();
	}

	@Test
	void webhookBecomesOneEventAfterTheFirstPageWasRefreshedSoTheReReadIsAHit() {
		assertThat(cacheStatus(this.proxy.get("/attendees/att_a/chats"))).isEqualTo("chat-proxy; fwd=uri-miss; stored");
		double sent = sent("chats-changed");
		try (EventStreamClient stream = open("/attendees/att_a/chats/events")) {
			assertThat(stream.status()).isEqualTo(200);
			assertThat(stream.headers().get("content-type"))
				.anySatisfy((type) -> assertThat(type).startsWith("text/event-stream"));

			webhook("message_received", "chat_1", "acc_1", "att_a");

			Event event = stream.awaitEvents(1).get(0);
			assertThat(event.name()).isEqualTo("chats-changed");
			assertThat(event.id()).isNotBlank();
			assertThat(event.data()).isEqualTo(
					"{\"attendee_ids\":[\"att_a\",\"att_sender_chat_1\"],\"account_id\":\"acc_1\",\"chat_id\":\"chat_1\",\"reason\":\"message_received\"}");
			assertThat(cacheStatus(this.proxy.get("/attendees/att_a/chats"))).isEqualTo("chat-proxy; hit; ttl=30");
			postpress.verify(2, getRequestedFor(urlPathEqualTo(Postpress.BASE_PATH + "/chat_attendees/att_a/chats")));
			assertThat(stream.retries()).contains("2000");
			assertThat(stream.events()).hasSize(1);
			assertThat(sent("chats-changed")).isEqualTo(sent + 1);
		}
	}

	@Test
	void everyStreamGetsTheSameEventsAndHeartbeatsWithNothingAfterThem() {
		try (EventStreamClient s1 = open("/attendees/att_i/chats/events");
				EventStreamClient s2 = open("/attendees/att_i/chats/events");
				EventStreamClient s3 = open("/attendees/att_i/chats/events");
				EventStreamClient s4 = open("/attendees/att_i/chats/events")) {
			List<EventStreamClient> streams = List.of(s1, s2, s3, s4);
			webhook("message_received", "chat_1", "acc_1", "att_i");
			for (EventStreamClient stream : streams) {
				stream.awaitEvents(1);
			}
			// a heartbeat read after the event: whatever was sent with the event was read
			// too
			List<Integer> comments = streams.stream().map((stream) -> stream.comments().size()).toList();
			for (int i = 0; i < streams.size(); i++) {
				EventStreamClient stream = streams.get(i);
				int before = comments.get(i);
				await().atMost(Duration.ofSeconds(20)).until(() -> stream.comments().size() >= before + 2);
			}
			for (EventStreamClient stream : streams) {
				assertThat(stream.events()).hasSize(1);
				assertThat(stream.events().get(0)).isEqualTo(s1.events().get(0));
				// one event (or heartbeat) sent to several streams was once built anew
				// for each,
				// each build adding a blank line: the n-th stream got n - 1 more
				assertThat(stream.emptyBlankLines()).isZero();
			}
		}
	}

	@Test
	void operatorInvalidationOfAChatReachesTheStreamsOfTheAttendeesWhosePagesListIt() {
		this.proxy.get("/attendees/att_b/chats");
		try (EventStreamClient listing = open("/attendees/att_b/chats/events");
				EventStreamClient other = open("/attendees/att_other/chats/events")) {
			HttpResponse<String> operator = this.proxy.management()
				.post("/actuator/invalidations", BodyPublishers.ofString("{\"chat_id\":\"chat_0\"}"), "Content-Type",
						"application/json");
			assertThat(operator.statusCode()).isEqualTo(200);

			Event event = listing.awaitEvents(1).get(0);
			assertThat(event.data()).isEqualTo(
					"{\"attendee_ids\":[\"att_b\"],\"account_id\":null,\"chat_id\":\"chat_0\",\"reason\":\"operator\"}");
			webhook("message_read", "chat_9", "acc_1", "att_other");
			other.awaitEvents(1);
			assertThat(listing.events()).hasSize(1);
			assertThat(other.events()).hasSize(1);
		}
	}

	@Test
	void streamsOfAnotherAccountGetNothing() {
		try (EventStreamClient mine = open("/attendees/att_c/chats/events?account_id=acc_1");
				EventStreamClient theirs = open("/attendees/att_c/chats/events?account_id=acc_2")) {
			webhook("message_received", "chat_2", "acc_2", "att_c");
			webhook("message_received", "chat_1", "acc_1", "att_c");

			assertThat(mine.awaitEvents(1).get(0).data()).contains("\"account_id\":\"acc_1\"");
			assertThat(theirs.awaitEvents(1).get(0).data()).contains("\"account_id\":\"acc_2\"");
			// both events went out together: neither stream is waiting for the other's
			assertThat(mine.events()).hasSize(1);
			assertThat(theirs.events()).hasSize(1);
		}
	}

	@Test
	void reconnectionWithLastEventIdReplaysWhatWasMissed() {
		String seen = idOfAnEventSeenBy("att_d");
		double told = told();
		webhook("message_read", "chat_2", "acc_1", "att_d_other");
		webhook("message_edited", "chat_3", "acc_1", "att_d");
		awaitTold(told + 2);

		try (EventStreamClient again = open("/attendees/att_d/chats/events", "Last-Event-ID", seen)) {
			List<Event> replayed = again.awaitEvents(1);
			assertThat(replayed.get(0).name()).isEqualTo("chats-changed");
			assertThat(replayed.get(0).data()).contains("\"chat_id\":\"chat_3\"", "\"reason\":\"message_edited\"");
			assertThat(replayed.get(0).id()).isNotEqualTo(seen);
			webhook("message_deleted", "chat_4", "acc_1", "att_d");
			assertThat(again.awaitEvents(2).get(1).data()).contains("\"chat_id\":\"chat_4\"");
			assertThat(again.events()).hasSize(2);
		}
	}

	@Test
	void reconnectionPastTheBufferOrWithAnUnknownIdStartsWithAReset() {
		String seen = idOfAnEventSeenBy("att_e");
		double told = told();
		for (int i = 0; i < 5; i++) {
			webhook("message_received", "chat_x" + i, "acc_1", "att_e_other" + i);
		}
		awaitTold(told + 5);

		for (String lastEventId : List.of(seen, "bogus", "0")) {
			try (EventStreamClient again = open("/attendees/att_e/chats/events", "Last-Event-ID", lastEventId)) {
				Event reset = again.awaitEvents(1).get(0);
				assertThat(reset.name()).isEqualTo("chats-reset");
				assertThat(reset.id()).isNotBlank();
				assertThat(reset.data()).contains("\"attendee_ids\":[\"att_e\"]");
			}
		}
	}

	@Test
	void idleStreamsGetAHeartbeatComment() {
		try (EventStreamClient stream = open("/attendees/att_f/chats/events")) {
			await().atMost(Duration.ofSeconds(20)).until(() -> stream.comments().stream().anyMatch(String::isEmpty));
			assertThat(stream.events()).isEmpty();
		}
	}

	@Test
	void pastMaxStreamsA503WithRetryAfter() {
		try (EventStreamClient s1 = open("/attendees/att_g/chats/events");
				EventStreamClient s2 = open("/attendees/att_g/chats/events");
				EventStreamClient s3 = open("/attendees/att_g/chats/events");
				EventStreamClient s4 = open("/attendees/att_g/chats/events")) {
			assertThat(streams()).isEqualTo(4);
			HttpResponse<String> refused = this.proxy.get("/attendees/att_g/chats/events");
			assertThat(refused.statusCode()).isEqualTo(503);
			assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
			assertThat(refused.headers().firstValue("Retry-After")).isPresent();
			assertThat(refused.body()).contains("\"type\":\"errors/service_unavailable\"", "\"status\":503");
		}
	}

	@Test
	void streamTakesTheListsValidationAndNoOtherParameter() {
		for (String invalid : List.of("/attendees/att_h/chats/events?cursor=abc",
				"/attendees/att_h/chats/events?limit=10", "/attendees/att_h/chats/events?accountId=acc_1",
				"/attendees/att%20h/chats/events", "/attendees/att_h/chats/events?account_id=a&account_id=b",
				"/attendees/" + "x,".repeat(21) + "x/chats/events")) {
			HttpResponse<String> refused = this.proxy.get(invalid);
			assertThat(refused.statusCode()).as(invalid).isEqualTo(400);
			assertThat(refused.body()).contains("\"type\":\"errors/invalid_parameters\"");
		}
		assertThat(streams()).isZero();
		postpress.verify(0, getRequestedFor(urlPathEqualTo(Postpress.BASE_PATH + "/chat_attendees/att_h/chats")));
	}

	/**
	 * Opens a stream of the attendee's chats, has one event sent to it, and closes it.
	 * @return the event's id, for a {@code Last-Event-ID}
	 */
	private String idOfAnEventSeenBy(String attendeeId) {
		try (EventStreamClient stream = open("/attendees/" + attendeeId + "/chats/events")) {
			webhook("message_received", "chat_1", "acc_1", attendeeId);
			return stream.awaitEvents(1).get(0).id();
		}
	}

	private EventStreamClient open(String path, String... headers) {
		EventStreamClient stream = EventStreamClient.open(this.proxy.port(), path, headers);
		assertThat(stream.status()).isEqualTo(200);
		return stream;
	}

	/** How many changes this replica told, to its streams and its replay buffer. */
	private double told() {
		return this.proxy.meters().get("chatproxy.events.delay").timer().count();
	}

	private void awaitTold(double count) {
		await().atMost(Duration.ofSeconds(20)).until(() -> told() >= count);
	}

	private void webhook(String name, String chatId, String accountId, String attendeeId) {
		String json = """
				{"event": "%s", "account_id": "%s", "account_type": "LINKEDIN", "chat_id": "%s",
				 "message_id": "msg_1", "message": "Hello",
				 "sender": {"attendee_id": "att_sender_%s"},
				 "attendees": [{"attendee_id": "%s"}]}""".formatted(name, accountId, chatId, chatId, attendeeId);
		HttpResponse<String> accepted = this.proxy.post("/webhooks/postpress", BodyPublishers.ofString(json),
				"X-Webhook-Secret", Postpress.WEBHOOK_SECRET, "Content-Type", "application/json");
		assertThat(accepted.statusCode()).isEqualTo(200);
	}

	private double streams() {
		return this.proxy.meters().get("chatproxy.event.streams").gauge().value();
	}

	private double sent(String type) {
		return this.proxy.meters().get("chatproxy.events.sent").tag("type", type).counter().count();
	}

	private static String cacheStatus(HttpResponse<String> response) {
		return response.headers().firstValue("Cache-Status").orElse("(none)");
	}

	/**
	 * A stream's life: Spring MVC's asynchronous request timeout does not end it, and the
	 * application's graceful shutdown ends every stream first, instead of waiting its
	 * phase's timeout for them.
	 */
	@Nested
	class StreamLifecycle {

		private static final WireMockServer postpress = Postpress.server();

		@Test
		void streamOutlivesTheAsynchronousRequestTimeout() {
			try (ConfigurableApplicationContext application = start();
					EventStreamClient stream = EventStreamClient.open(port(application),
							"/attendees/att_1/chats/events")) {
				assertThat(stream.status()).isEqualTo(200);

				// ten heartbeats of 100ms: twice the 500ms timeout of other asynchronous
				// requests
				await().atMost(Duration.ofSeconds(30)).until(() -> stream.comments().size() >= 11);

				assertThat(stream.ended()).isFalse();
			}
		}

		@Test
		void gracefulShutdownEndsEveryStreamRatherThanWaitingForThem() {
			ConfigurableApplicationContext application = start();
			try (EventStreamClient first = EventStreamClient.open(port(application), "/attendees/att_1/chats/events");
					EventStreamClient second = EventStreamClient.open(port(application),
							"/attendees/att_2/chats/events")) {
				assertThat(first.status()).isEqualTo(200);
				assertThat(second.status()).isEqualTo(200);

				CompletableFuture<Void> closed = CompletableFuture.runAsync(application::close);

				await().atMost(Duration.ofSeconds(30)).until(() -> first.ended() && second.ended());
				// the shutdown phase would wait 120s for open requests: it ends well
				// before
				await().atMost(Duration.ofSeconds(60)).until(closed::isDone);
				assertThat(closed).isCompleted();
			}
		}

		private static ConfigurableApplicationContext start() {
			return new SpringApplicationBuilder(ChatProxyApplication.class).run("--server.port=0",
					"--server.address=127.0.0.1", "--management.server.port=0", "--management.server.address=127.0.0.1",
					"--postpress.base-url=" + postpress.baseUrl() + Postpress.BASE_PATH,
					"--postpress.api-key=" + Postpress.API_KEY, "--spring.mvc.async.request-timeout=500ms",
					"--spring.lifecycle.timeout-per-shutdown-phase=120s", "--proxy.events.heartbeat=100ms");
		}

		private static int port(ConfigurableApplicationContext application) {
			return Integer.parseInt(application.getEnvironment().getProperty("local.server.port"));
		}

	}

}
