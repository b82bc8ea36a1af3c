package dev.chatproxy.cache;

import dev.chatproxy.upstream.ChatList;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.ProxyClient;
import dev.chatproxy.support.ProxyIntegrationTest;
import dev.chatproxy.support.UpstreamGate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import org.springframework.beans.factory.annotation.Autowired;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Stale-while-revalidate and "a stale copy is never held by retries" (CONTRACT.md
 * sections 4 and 6), end to end: the whole application on random ports, a fake postpress
 * over HTTP, and a cache clock the tests move (default window of 30 s after a 30 s TTL).
 */
@ProxyIntegrationTest
@TestMethodOrder(MethodOrderer.Random.class)
class StaleWhileRevalidateIntegrationTests {

	private static final AtomicInteger attendees = new AtomicInteger();

	/**
	 * An attendee of this test's own: a background retry or refresh another test left
	 * running stores and counts under its own key, never this one's.
	 */
	private final String attendee = "swr-" + attendees.incrementAndGet();

	private final String path = "/attendees/" + this.attendee + "/chats";

	private static final WireMockServer postpress = Postpress.server();

	@Autowired
	ProxyClient proxy;

	@AfterEach
	void letBackgroundFetchesEnd() {
		this.proxy.awaitNoFetchInFlight();
	}

	@Test
	void expiredPageIsAnsweredAtOnceWithHeadersConsistentWithItsAge() {
		storePage(1, "old");
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(2, "new")));
		this.proxy.ticker().advance(Duration.ofSeconds(40));

		HttpResponse<String> stale = this.proxy.get(this.path);

		assertThat(stale.statusCode()).isEqualTo(200);
		assertThat(stale.body()).isEqualTo(Postpress.pageJson(1, "old"));
		assertThat(cacheStatus(stale)).isEqualTo("chat-proxy; hit; ttl=-10; detail=stale-while-revalidate");
		assertThat(stale.headers().firstValue("Age")).hasValue("40");
		assertThat(stale.headers().firstValue("Cache-Control")).hasValue("private, max-age=0");
		assertThat(stale.headers().firstValue("ETag"))
			.hasValue(CachedPage.of(ChatList.read(Postpress.pageJson(1, "old").getBytes()), 0, 0).etag());
		awaitPage(2, "new");
	}

	@Test
	void concurrentRequestsForAnExpiredPageMakeOneBackgroundUpstreamCall() throws Exception {
		storePage(1, "old");
		// held until every request below has been answered: the refresh is in flight
		// throughout, however slow the machine
		UpstreamGate gate = Postpress.hold(Postpress.chats(), Postpress.page(2, "new"));
		this.proxy.ticker().advance(Duration.ofSeconds(31));
		double served = count("chatproxy.cache.stale.revalidate.served");
		double started = count("chatproxy.cache.refreshes", "result", "started");
		double succeeded = count("chatproxy.cache.refreshes", "result", "succeeded");

		List<HttpResponse<String>> responses;
		try {
			// the burst opens the gate once its requests are in flight: held until all 20
			// were answered from the expired page
			responses = this.proxy.burst(20, this.path, () -> await().atMost(Duration.ofSeconds(30))
				.until(() -> count("chatproxy.cache.stale.revalidate.served") >= served + 20));
		}
		finally {
			gate.release();
		}

		assertThat(responses).allSatisfy((response) -> {
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.body()).isEqualTo(Postpress.pageJson(1, "old"));
			assertThat(cacheStatus(response)).isEqualTo("chat-proxy; hit; ttl=-1; detail=stale-while-revalidate");
		});
		assertThat(count("chatproxy.cache.stale.revalidate.served")).isEqualTo(served + 20);
		assertThat(count("chatproxy.cache.refreshes", "result", "started")).isEqualTo(started + 1);
		awaitPage(2, "new");
		assertThat(upstreamCalls()).as("one refresh").isEqualTo(1);
		assertThat(count("chatproxy.cache.refreshes", "result", "succeeded")).isEqualTo(succeeded + 1);
	}

	@Test
	void failedRefreshKeepsTheOldPageForStaleIfError() {
		storePage(1, "old");
		postpress.stubFor(Postpress.chats().willReturn(Postpress.error(500, "errors/unexpected_error")));
		this.proxy.ticker().advance(Duration.ofSeconds(35));
		double failed = count("chatproxy.cache.refreshes", "result", "failed");

		assertThat(cacheStatus(this.proxy.get(this.path))).endsWith("detail=stale-while-revalidate");
		await().atMost(Duration.ofSeconds(10))
			.until(() -> count("chatproxy.cache.refreshes", "result", "failed") == failed + 1);
		HttpResponse<String> again = this.proxy.get(this.path);
		assertThat(again.body()).isEqualTo(Postpress.pageJson(1, "old"));
		assertThat(cacheStatus(again)).endsWith("detail=stale-while-revalidate");
		letBackgroundFetchesEnd();

		this.proxy.ticker().advance(Duration.ofSeconds(60));
		HttpResponse<String> pastTheWindow = this.proxy.get(this.path);

		assertThat(pastTheWindow.statusCode()).isEqualTo(200);
		assertThat(pastTheWindow.body()).isEqualTo(Postpress.pageJson(1, "old"));
		assertThat(cacheStatus(pastTheWindow)).isEqualTo("chat-proxy; hit; ttl=-65; detail=stale-if-error");
	}

	@Test
	void refreshRefusedByPostpressDropsThePage() {
		storePage(1, "old");
		postpress.stubFor(Postpress.chats().willReturn(Postpress.error(404, "errors/resource_not_found")));
		this.proxy.ticker().advance(Duration.ofSeconds(35));
		double failed = count("chatproxy.cache.refreshes", "result", "failed");

		assertThat(cacheStatus(this.proxy.get(this.path))).endsWith("detail=stale-while-revalidate");
		await().atMost(Duration.ofSeconds(10))
			.until(() -> count("chatproxy.cache.refreshes", "result", "failed") == failed + 1);
		// the refresh is counted failed a moment before the page is dropped
		await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
			HttpResponse<String> refused = this.proxy.get(this.path);
			assertThat(refused.statusCode()).isEqualTo(404);
			assertThat(refused.headers().firstValue("Cache-Status")).isEmpty();
		});
	}

	@Test
	void noCacheWaitsForAFreshPage() {
		storePage(1, "old");
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(2, "new")));
		this.proxy.ticker().advance(Duration.ofSeconds(35));

		HttpResponse<String> refreshed = this.proxy.get(this.path, "Cache-Control", "no-cache");

		assertThat(refreshed.body()).isEqualTo(Postpress.pageJson(2, "new"));
		assertThat(cacheStatus(refreshed)).isEqualTo("chat-proxy; fwd=request; stored");
		assertThat(upstreamCalls()).isEqualTo(1);
	}

	@Test
	void pastTheWindowCallersWaitForTheUpstream() {
		storePage(1, "old");
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(2, "new")));
		this.proxy.ticker().advance(Duration.ofSeconds(60));

		HttpResponse<String> refetched = this.proxy.get(this.path);

		assertThat(refetched.body()).isEqualTo(Postpress.pageJson(2, "new"));
		assertThat(cacheStatus(refetched)).isEqualTo("chat-proxy; fwd=uri-miss; stored");
	}

	@Test
	void staleCopyIsAnsweredAsSoonAsTheFirstAttemptFailsAndTheRetryRefreshesTheCache() {
		storePage(1, "old");
		postpress.stubFor(Postpress.chats()
			.inScenario("retry")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(Postpress.error(503, "errors/service_unavailable").withHeader("Retry-After", "5"))
			.willSetStateTo("recovered"));
		// the second attempt is held until the stale answer is in: it is answered first,
		// whatever the machine's load
		UpstreamGate gate = Postpress.hold(Postpress.chats().inScenario("retry").whenScenarioStateIs("recovered"),
				Postpress.page(2, "new"));
		this.proxy.ticker().advance(Duration.ofSeconds(90));

		HttpResponse<String> stale;
		try {
			stale = this.proxy.get(this.path);
		}
		finally {
			gate.release();
		}

		assertThat(stale.statusCode()).isEqualTo(200);
		assertThat(stale.body()).isEqualTo(Postpress.pageJson(1, "old"));
		assertThat(cacheStatus(stale)).isEqualTo("chat-proxy; hit; ttl=-60; detail=stale-if-error");
		awaitPage(2, "new");
		assertThat(upstreamCalls()).isEqualTo(2);
	}

	private void storePage(int items, String cursor) {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(items, cursor)));
		assertThat(cacheStatus(this.proxy.get(this.path))).isEqualTo("chat-proxy; fwd=uri-miss; stored");
		postpress.resetAll();
	}

	/** Waits until the page the background fetch stored is answered as a fresh hit. */
	private void awaitPage(int items, String cursor) {
		await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
			HttpResponse<String> response = this.proxy.get(this.path);
			assertThat(response.body()).isEqualTo(Postpress.pageJson(items, cursor));
			assertThat(cacheStatus(response)).isEqualTo("chat-proxy; hit; ttl=30");
		});
	}

	private double count(String name, String... tags) {
		return this.proxy.meters().get(name).tags(tags).counter().count();
	}

	private int upstreamCalls() {
		return postpress
			.findAll(getRequestedFor(
					urlPathMatching(Postpress.BASE_PATH + "/chat_attendees/" + this.attendee + "/chats")))
			.size();
	}

	private static String cacheStatus(HttpResponse<String> response) {
		return response.headers().firstValue("Cache-Status").orElse("(none)");
	}

}
