package dev.chatproxy.webhooks;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.ProxyClient;
import dev.chatproxy.support.ProxyIntegrationTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Invalidation (CONTRACT.md section 10), end to end: postpress' webhook and the
 * operators' endpoint mark cached pages stale, and the next request revalidates them.
 */
@ProxyIntegrationTest
@TestPropertySource(properties = { "proxy.webhook.secret=" + InvalidationIntegrationTests.SECRET,
		"proxy.webhook.secret-header=X-Postpress-Secret" })
class InvalidationIntegrationTests {

	static final String SECRET = "whsec_test_0123456789";

	/**
	 * Each event has a sender of its own: events that name an attendee another test's
	 * event named less than {@code proxy.webhook.min-refresh-interval} before are
	 * coalesced.
	 */
	private static final AtomicInteger senders = new AtomicInteger();

	private static final WireMockServer postpress = Postpress.server();

	@Autowired
	ProxyClient proxy;

	@BeforeEach
	void cacheThreePages() {
		// a lists chat_0; b lists chat_b; the third is asked for by a LinkedIn provider
		// id
		postpress.stubFor(Postpress.chats("a").willReturn(Postpress.page(1, null)));
		postpress.stubFor(Postpress.chats("b").willReturn(pageListing("chat_b")));
		postpress.stubFor(Postpress.chats("ACoAACr-1eYBl").willReturn(pageListing("chat_p")));
		for (String attendee : List.of("a", "b", "ACoAACr-1eYBl")) {
			assertThat(cacheStatus(this.proxy.get(chatsOf(attendee)))).isEqualTo("chat-proxy; fwd=uri-miss; stored");
		}
	}

	@Test
	void messageEventMarksThePagesOfItsAttendeesStaleAndTheNextRequestRefetches() {
		double invalidated = invalidated("webhook");

		HttpResponse<String> accepted = postEvent(event("message_received", "chat_x", "a", unknownProviderId()));

		assertThat(accepted.statusCode()).isEqualTo(200);
		assertThat(accepted.headers().firstValue("Cache-Control")).hasValue("no-store");
		assertThat(accepted.headers().firstValue("Cache-Status")).isEmpty();
		assertThat(accepted.headers().firstValue("X-Request-Id")).isPresent();
		await().atMost(Duration.ofSeconds(10)).until(() -> invalidated("webhook") == invalidated + 1);
		assertThat(cacheStatus(this.proxy.get(chatsOf("a")))).endsWith("detail=stale-while-revalidate");
		assertThat(cacheStatus(this.proxy.get(chatsOf("b")))).isEqualTo("chat-proxy; hit; ttl=30");
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> postpress.verify(2, getRequestedFor(urlPathEqualTo(upstreamPathOf("a")))));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> cacheStatus(this.proxy.get(chatsOf("a"))).equals("chat-proxy; hit; ttl=30"));
	}

	@Test
	void messageEventMarksThePagesListingItsChatStale() {
		double invalidated = invalidated("webhook");

		assertThat(postEvent(event("message_read", "chat_b", "someone-else", unknownProviderId())).statusCode())
			.isEqualTo(200);

		await().atMost(Duration.ofSeconds(10)).until(() -> invalidated("webhook") == invalidated + 1);
		assertThat(cacheStatus(this.proxy.get(chatsOf("b")))).endsWith("detail=stale-while-revalidate");
		assertThat(cacheStatus(this.proxy.get(chatsOf("a")))).isEqualTo("chat-proxy; hit; ttl=30");
	}

	@Test
	void messageEventMatchesPagesAskedForByProviderId() {
		double invalidated = invalidated("webhook");

		postEvent(event("message_edited", "chat_x", "att_unknown", "ACoAACr-1eYBl"));

		await().atMost(Duration.ofSeconds(10)).until(() -> invalidated("webhook") == invalidated + 1);
		assertThat(cacheStatus(this.proxy.get(chatsOf("ACoAACr-1eYBl")))).endsWith("detail=stale-while-revalidate");
	}

	@Test
	void unknownEventIsAcceptedAndIgnored() {
		double invalidated = invalidated("webhook");

		HttpResponse<String> unknown = postEvent(event("account_connected", "chat_0", "a", "ACoAACr-1eYBl"));
		// events are applied in order: once this one is, the unknown one would have been
		postEvent(event("message_deleted", "chat_b", "b", unknownProviderId()));

		assertThat(unknown.statusCode()).isEqualTo(200);
		await().atMost(Duration.ofSeconds(10)).until(() -> invalidated("webhook") == invalidated + 1);
		assertThat(cacheStatus(this.proxy.get(chatsOf("a")))).isEqualTo("chat-proxy; hit; ttl=30");
		assertThat(cacheStatus(this.proxy.get(chatsOf("ACoAACr-1eYBl")))).isEqualTo("chat-proxy; hit; ttl=30");
	}

	@Test
	void bodyOver64KbIsRefusedWith413WhetherItsLengthIsDeclaredOrNot() {
		byte[] large = ("{\"event\":\"message_received\",\"message\":\"" + "x".repeat(64 * 1024) + "\"}")
			.getBytes(StandardCharsets.UTF_8);

		HttpResponse<String> declared = this.proxy.post("/webhooks/postpress",
				HttpRequest.BodyPublishers.ofByteArray(large), "X-Postpress-Secret", SECRET);
		HttpResponse<String> chunked = this.proxy.post("/webhooks/postpress",
				HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(large)), "X-Postpress-Secret",
				SECRET);

		assertProblem(declared, 413, "errors/payload_too_large");
		assertProblem(chunked, 413, "errors/payload_too_large");
	}

	@Test
	void operatorsInvalidateByAttendeeAccountOrChatOnTheManagementPort() {
		double invalidated = invalidated("operator");

		HttpResponse<String> byAttendee = operator("{\"attendee_id\":\"a\"}");
		HttpResponse<String> byChat = operator("{\"chat_id\":\"chat_b\"}");
		HttpResponse<String> byAccount = operator("{\"account_id\":\"acc_1\"}");

		assertThat(byAttendee.statusCode()).isEqualTo(200);
		assertThat(byAttendee.body()).isEqualTo("{\"invalidated\":1}");
		assertThat(byChat.body()).isEqualTo("{\"invalidated\":1}");
		assertThat(byAccount.body()).as("the one page still fresh").isEqualTo("{\"invalidated\":1}");
		assertThat(invalidated("operator")).isEqualTo(invalidated + 3);
		assertThat(this.proxy.scrape().sum("chatproxy_cache_invalidated_total", "source=\"operator\""))
			.isEqualTo(invalidated + 3);
		for (String attendee : List.of("a", "b", "ACoAACr-1eYBl")) {
			assertThat(cacheStatus(this.proxy.get(chatsOf(attendee)))).endsWith("detail=stale-while-revalidate");
		}
	}

	@Test
	void operatorEndpointNeedsAnIdAndIsNotOnTheApplicationPort() {
		assertProblem(operator("{}"), 400, "errors/invalid_parameters");
		assertThat(this.proxy
			.post("/actuator/invalidations", body("{\"attendee_id\":\"a\"}"), "Content-Type", "application/json")
			.statusCode()).isEqualTo(404);
	}

	private static String event(String name, String chatId, String attendeeId, String providerId) {
		return """
				{"event": "%s", "account_id": "acc_1", "account_type": "LINKEDIN", "chat_id": "%s",
				 "timestamp": "2026-11-24T13:49:07.965Z", "webhook_name": "chat-proxy", "message_id": "msg_1",
				 "message": "Hello", "new_field": {"nested": [1, 2]},
				 "sender": {"attendee_id": "%s", "attendee_name": "Jordan Walke"},
				 "attendees": [{"attendee_id": "%s", "attendee_provider_id": "%s"}]}""".formatted(name, chatId,
				"att_sender_" + senders.incrementAndGet(), attendeeId, providerId);
	}

	private static String unknownProviderId() {
		return "ACoA-unknown-" + senders.incrementAndGet();
	}

	private static ResponseDefinitionBuilder pageListing(String chatId) {
		return Postpress.page(1, null).withBody(Postpress.pageJson(1, null).replace("chat_0", chatId));
	}

	private static String chatsOf(String attendee) {
		return "/attendees/" + attendee + "/chats";
	}

	private static String upstreamPathOf(String attendee) {
		return Postpress.BASE_PATH + "/chat_attendees/" + attendee + "/chats";
	}

	private HttpResponse<String> postEvent(String json) {
		return this.proxy.post("/webhooks/postpress", body(json), "X-Postpress-Secret", SECRET, "Content-Type",
				"application/json");
	}

	private HttpResponse<String> operator(String json) {
		return this.proxy.management().post("/actuator/invalidations", body(json), "Content-Type", "application/json");
	}

	private static BodyPublisher body(String json) {
		return HttpRequest.BodyPublishers.ofString(json);
	}

	private static void assertProblem(HttpResponse<String> response, int status, String type) {
		assertThat(response.statusCode()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(response.body()).contains("\"type\":\"" + type + "\"", "\"status\":" + status, "\"instance\":");
		assertThat(response.body()).doesNotContain(SECRET);
	}

	private double invalidated(String source) {
		return this.proxy.meters().get("chatproxy.cache.invalidated").tag("source", source).counter().count();
	}

	private static String cacheStatus(HttpResponse<String> response) {
		return response.headers().firstValue("Cache-Status").orElse("(none)");
	}

	/**
	 * Without {@code proxy.webhook.secret} (or with a blank one) the webhook does not
	 * exist: it can never be an unauthenticated way to touch the cache.
	 */
	@Nested
	@TestPropertySource(properties = "proxy.webhook.secret=  ")
	class WithoutAWebhookSecret {

		@Autowired
		ProxyClient proxy;

		@Test
		void webhookRouteIsUnknownWithoutASecret() {
			HttpResponse<String> response = this.proxy.post("/webhooks/postpress",
					body("{\"event\":\"message_received\",\"chat_id\":\"c\"}"), "X-Webhook-Secret", "  ",
					"Content-Type", "application/json");

			assertThat(response.statusCode()).isEqualTo(404);
			assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
			assertThat(response.body()).contains("\"type\":\"errors/resource_not_found\"");
		}

	}

	/**
	 * A storm of webhook events (issue 22): with
	 * {@code proxy.webhook.min-refresh-interval} at its default of 1 s, an attendee's
	 * pages are marked stale at most once per interval, and once more at the storm's end,
	 * so that postpress is called for them at most once per page and interval however
	 * many events come, and they are fresh again soon after the storm.
	 */
	@Nested
	class DuringAStorm {

		private static final Duration INTERVAL = Duration.ofSeconds(1);

		@Autowired
		ProxyClient proxy;

		@Test
		void stormCallsPostpressAtMostOncePerPageAndIntervalAndLeavesThePagesFreshAfterIt() {
			String attendee = "att_storm";
			postpress.stubFor(Postpress.chats(attendee).willReturn(Postpress.page(2, null)));
			List<String> pages = List.of(chatsOf(attendee), chatsOf(attendee) + "?limit=5");
			for (String page : pages) {
				assertThat(cacheStatus(this.proxy.get(page))).isEqualTo("chat-proxy; fwd=uri-miss; stored");
			}
			int calls = upstreamCalls(attendee);
			double coalesced = coalesced();
			int events = 150;

			long start = System.nanoTime();
			for (int i = 0; i < events; i++) {
				if (i == events - 1) {
					// what the last event says changed
					postpress.stubFor(Postpress.chats(attendee).willReturn(pageListing("chat_after_storm")));
				}
				assertThat(postEvent(stormEvent(attendee, "chat_" + (i % 3))).statusCode()).isEqualTo(200);
				// readers keep reading: each stale page they meet is refreshed
				pages.forEach(this.proxy::get);
			}
			long storm = System.nanoTime() - start;

			await("the pages refreshed after the storm").atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(pages).allSatisfy((page) -> {
					HttpResponse<String> read = this.proxy.get(page);
					assertThat(read.body()).contains("chat_after_storm");
					assertThat(cacheStatus(read)).startsWith("chat-proxy; hit");
				}));
			// the intervals the storm began, and the trailing one after it
			long invalidations = storm / INTERVAL.toNanos() + 2;
			assertThat(upstreamCalls(attendee) - calls)
				.as("postpress calls for %d events in %d ms", events, Duration.ofNanos(storm).toMillis())
				.isLessThanOrEqualTo((int) (pages.size() * invalidations));
			assertThat(coalesced() - coalesced).isGreaterThanOrEqualTo(events - invalidations);
		}

		private double coalesced() {
			return this.proxy.meters().get("chatproxy.webhook.coalesced").counter().count();
		}

		private static int upstreamCalls(String attendee) {
			return postpress.findAll(getRequestedFor(urlPathEqualTo(upstreamPathOf(attendee)))).size();
		}

		private HttpResponse<String> postEvent(String json) {
			return this.proxy.post("/webhooks/postpress", body(json), "X-Postpress-Secret", SECRET, "Content-Type",
					"application/json");
		}

		/** A busy chat's event: a sender of its own, the attendee among its attendees. */
		private static String stormEvent(String attendee, String chatId) {
			return """
					{"event": "message_received", "account_id": "acc_1", "chat_id": "%s",
					 "sender": {"attendee_id": "att_sender_%d"}, "attendees": [{"attendee_id": "%s"}]}"""
				.formatted(chatId, senders.incrementAndGet(), attendee);
		}

	}

}
