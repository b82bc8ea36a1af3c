package dev.chatproxy.fleet;

import dev.chatproxy.upstream.ChatList;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import com.github.benmanes.caffeine.cache.Ticker;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.chatproxy.cache.CachedPage;
import dev.chatproxy.cache.Invalidation;
import dev.chatproxy.cache.Invalidations;
import dev.chatproxy.cache.PageKey;
import dev.chatproxy.cache.PagesInvalidated;
import dev.chatproxy.cache.SharedTier;
import dev.chatproxy.cache.SharedTier.Loaded;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.RedisServer;
import dev.chatproxy.support.UpstreamGate;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three replicas in front of one postpress and one Redis share their pages, make one
 * upstream call per page between them, and purge and invalidate together.
 */
@TestMethodOrder(MethodOrderer.Random.class)
class FleetIntegrationTests {

	private static final String CHATS = "/attendees/att_1/chats";

	private static final String WEBHOOK_SECRET = "whsec_fleet_0123456789";

	@RegisterExtension
	static RedisServer redis = new RedisServer();

	private static final WireMockServer postpress = Postpress.server();

	static List<Replica> replicas = new ArrayList<>();

	@BeforeAll
	static void startFleet() {
		for (int i = 0; i < 3; i++) {
			// a generous Redis timeout, and a lease (postpress' response timeout) that a
			// late renewal on a busy test machine cannot lose while postpress is held:
			// this
			// class proves sharing, not the fallback or a takeover (whose test sets its
			// own
			// lease)
			replicas
				.add(Replica.start(redis, postpress, "proxy.cache.redis-timeout=1s", "postpress.response-timeout=10s",
						"postpress.deadline=30s", "proxy.webhook.secret=" + WEBHOOK_SECRET));
		}
		replicas.forEach(Replica::awaitSubscribed);
	}

	@AfterAll
	static void stopFleet() {
		replicas.forEach(Replica::close);
	}

	@BeforeEach
	void emptyEverything() {
		postpress.resetAll();
		redis.flushAll();
		for (Replica replica : replicas) {
			replica.resetRedisBreaker();
			replica.management().send("DELETE", "/actuator/caches");
		}
		redis.flushAll();
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(3, null)));
	}

	@Test
	void pageFetchedByOneReplicaIsAHitOnTheOthers() {
		HttpResponse<String> first = replicas.get(0).get(CHATS);
		assertThat(first.statusCode()).isEqualTo(200);
		assertThat(first.headers().firstValue("Cache-Status")).hasValue("chat-proxy; fwd=uri-miss; stored");
		for (int i = 1; i < 3; i++) {
			HttpResponse<String> other = replicas.get(i).get(CHATS);
			assertThat(other.statusCode()).isEqualTo(200);
			assertThat(other.body()).isEqualTo(first.body());
			assertThat(other.headers().firstValue("ETag")).isEqualTo(first.headers().firstValue("ETag"));
			assertThat(other.headers().firstValue("Cache-Status"))
				.hasValueSatisfying((status) -> assertThat(status).matches("chat-proxy; hit; ttl=(29|30)"));
		}
		assertThat(postpressCalls()).isEqualTo(1);
	}

	@Test
	void ninetyConcurrentRequestsOverThreeReplicasMakeOneUpstreamCall() throws Exception {
		// postpress answers once all 90 requests are in: on each replica 29 wait on its
		// own fetch and 1 asked Redis, and one of the three is calling postpress
		UpstreamGate gate = Postpress.hold(Postpress.chats(), Postpress.page(3, null));
		double collapsedBefore = fleetTotal("chatproxy.cache.collapsed");
		double sharedBefore = fleetTotal("chatproxy.cache.shared");
		List<HttpResponse<String>> responses = new ArrayList<>();
		ExecutorService callers = Executors.newFixedThreadPool(90);
		try {
			List<Future<HttpResponse<String>>> calls = new ArrayList<>();
			for (int i = 0; i < 90; i++) {
				Replica replica = replicas.get(i % 3);
				calls.add(callers.submit(() -> replica.get(CHATS)));
			}
			await().atMost(Duration.ofSeconds(30))
				.until(() -> gate.arrived() == 1 && fleetTotal("chatproxy.cache.collapsed") - collapsedBefore == 87
						&& fleetTotal("chatproxy.cache.shared") - sharedBefore == 3);
			gate.release();
			for (Future<HttpResponse<String>> call : calls) {
				responses.add(call.get(30, TimeUnit.SECONDS));
			}
		}
		finally {
			gate.release();
			callers.shutdownNow();
		}
		assertThat(responses).allSatisfy((response) -> assertThat(response.statusCode()).isEqualTo(200));
		assertThat(postpressCalls()).isEqualTo(1);
		assertThat(responses).map((response) -> response.headers().firstValue("Cache-Status").orElseThrow())
			.containsOnly("chat-proxy; fwd=uri-miss; stored", "chat-proxy; fwd=uri-miss; collapsed")
			.filteredOn((status) -> status.endsWith("stored"))
			.hasSize(1);
	}

	/**
	 * Sums a counter over the replicas and its tags.
	 */
	private static double fleetTotal(String counter) {
		return replicas.stream()
			.mapToDouble((replica) -> replica.bean(MeterRegistry.class)
				.find(counter)
				.counters()
				.stream()
				.mapToDouble(Counter::count)
				.sum())
			.sum();
	}

	@Test
	void pageLoadedByOneReplicaIsReadByTheOthers() {
		PageKey key = key("att_shared");
		Loaded loaded = replica(0).load(key, () -> CompletableFuture.completedFuture(page("shared"))).join();
		assertThat(loaded.collapsed()).isFalse();
		for (int i = 1; i < 3; i++) {
			CachedPage shared = replica(i).get(key).join();
			assertThat(shared).isNotNull();
			assertThat(new String(shared.body(), StandardCharsets.UTF_8)).isEqualTo("shared");
			assertThat(shared.etag()).isEqualTo(loaded.page().etag());
			assertThat(shared.chatIds()).containsExactlyInAnyOrder("chat_a", "chat_b");
			// still fresh, with no more than its 30 s TTL ahead and its age not negative
			// (no bound on how long this busy machine took to get here)
			long now = Ticker.systemTicker().read();
			assertThat(shared.freshUntilNanos() - now).isPositive()
				.isLessThanOrEqualTo(Duration.ofSeconds(30).toNanos());
			assertThat(now - shared.storedAtNanos()).isNotNegative();
		}
	}

	@Test
	void ninetyConcurrentLoadsOverThreeReplicasMakeOneUpstreamCall() throws Exception {
		PageKey key = key("att_crowd");
		AtomicInteger calls = new AtomicInteger();
		CompletableFuture<CachedPage> upstream = new CompletableFuture<>();
		Supplier<CompletableFuture<CachedPage>> loader = () -> {
			calls.incrementAndGet();
			return upstream;
		};
		List<CompletableFuture<Loaded>> loads;
		ExecutorService callers = Executors.newFixedThreadPool(30);
		try {
			List<Future<CompletableFuture<Loaded>>> started = new ArrayList<>();
			for (int i = 0; i < 90; i++) {
				SharedTier replica = replica(i % 3);
				started.add(callers.submit(() -> replica.load(key, loader)));
			}
			loads = new ArrayList<>();
			for (Future<CompletableFuture<Loaded>> load : started) {
				loads.add(load.get(10, TimeUnit.SECONDS));
			}
		}
		finally {
			callers.shutdownNow();
		}
		// every load has asked Redis for the lease before the one upstream call answers
		upstream.complete(page("crowd"));
		List<Loaded> results = loads.stream().map((load) -> load.orTimeout(10, TimeUnit.SECONDS).join()).toList();
		assertThat(calls).hasValue(1);
		assertThat(results).filteredOn(Loaded::collapsed).hasSize(89);
		assertThat(results).allSatisfy(
				(loaded) -> assertThat(new String(loaded.page().body(), StandardCharsets.UTF_8)).isEqualTo("crowd"));
	}

	@Test
	void waiterTakesOverTheLeaseOfAHolderThatDied() {
		PageKey key = key("att_orphan");
		// a holder that took the lease and died: nobody renews it, nobody fills the page
		String lease = Leases.LEASE + SharedPageStore.hash(key.value());
		redis.command("SET", lease, "dead-holder", "PX", "800");
		AtomicInteger calls = new AtomicInteger();
		List<String> leaseWhenCalled = new ArrayList<>();
		// order, not milliseconds: the waiter calls postpress only once the dead holder's
		// lease has expired (the lease is then the waiter's own, or none), and it does
		// take over rather than wait for ever (the timeout only stops a broken build)
		Loaded loaded = replica(1).load(key, () -> {
			calls.incrementAndGet();
			leaseWhenCalled.add(String.valueOf(redis.command("GET", lease)));
			return CompletableFuture.completedFuture(page("taken over"));
		}).orTimeout(60, TimeUnit.SECONDS).join();
		assertThat(calls).hasValue(1);
		assertThat(leaseWhenCalled).singleElement().asString().doesNotContain("dead-holder");
		assertThat(loaded.collapsed()).isFalse();
		assertThat(replica(2).get(key).join()).isNotNull();
	}

	@Test
	void purgeOnOneReplicaEmptiesEveryReplicaAndTheSharedTier() {
		String before = replicas.get(0).get(CHATS).body();
		assertThat(replicas.get(1).get(CHATS).body()).isEqualTo(before);
		replica(0).load(key("att_purged"), () -> CompletableFuture.completedFuture(page("purged"))).join();
		assertThat(redis.keys()).anyMatch((name) -> name.startsWith(SharedPageStore.PAGE));
		String after = Postpress.pageJson(5, null);
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(5, null)));

		assertThat(replicas.get(2).management().send("DELETE", "/actuator/caches").statusCode()).isEqualTo(204);

		assertThat(redis.keys()).noneMatch((name) -> name.startsWith(SharedPageStore.PAGE));
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			assertThat(replicas.get(0).get(CHATS).body()).isEqualTo(after);
			assertThat(replicas.get(1).get(CHATS).body()).isEqualTo(after);
		});
	}

	@Test
	void invalidationOnOneReplicaReachesEveryReplicaAndTheSharedCopy() {
		String before = replicas.get(0).get(CHATS).body();
		assertThat(replicas.get(2).get(CHATS).body()).isEqualTo(before);
		PageKey key = key("att_1");
		String after = Postpress.pageJson(5, null);
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(5, null)));

		replicas.get(1)
			.bean(Invalidations.class)
			.invalidate(new Invalidation(Set.of("att_1"), Set.of(), Set.of(), "operator"));

		CachedPage shared = replica(0).get(key).join();
		assertThat(shared).isNotNull();
		assertThat(shared.isFreshAt(Ticker.systemTicker().read())).isFalse();
		// stale-while-revalidate answers the old page once, while it refreshes
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			assertThat(replicas.get(0).get(CHATS).body()).isEqualTo(after);
			assertThat(replicas.get(2).get(CHATS).body()).isEqualTo(after);
		});
	}

	@Test
	void operatorInvalidationIsPublishedOnceOnItsReplicaAndOnceOnEveryOther() {
		List<List<PagesInvalidated>> heard = replicas.stream().map(Replica::recordPagesInvalidated).toList();

		assertThat(replicas.get(1)
			.management()
			.send("POST", "/actuator/invalidations?attendee_id=att_feed", "Content-Type", "application/json")
			.statusCode()).isEqualTo(200);
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			assertThat(about("att_feed", heard.get(0))).isNotEmpty();
			assertThat(about("att_feed", heard.get(2))).isNotEmpty();
		});
		// replica 0's marker reaches the others after replica 1's own announcement did
		replicas.get(0)
			.bean(Invalidations.class)
			.invalidate(new Invalidation(Set.of("att_marker"), Set.of(), Set.of(), "operator"));
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			assertThat(about("att_marker", heard.get(1))).isNotEmpty();
			assertThat(about("att_marker", heard.get(2))).isNotEmpty();
		});

		assertThat(about("att_feed", heard.get(1))).containsExactly(true);
		assertThat(about("att_feed", heard.get(0))).containsExactly(false);
		assertThat(about("att_feed", heard.get(2))).containsExactly(false);
		assertThat(about("att_marker", heard.get(0))).containsExactly(true);
		assertThat(heard.get(1).stream().filter((event) -> event.invalidation().attendeeIds().contains("att_feed")))
			.allSatisfy((event) -> assertThat(event.invalidation().source()).isEqualTo("operator"));
	}

	/**
	 * Whether each event about the attendee was local, in the order published.
	 */
	private static List<Boolean> about(String attendeeId, List<PagesInvalidated> events) {
		return events.stream()
			.filter((event) -> event.invalidation().attendeeIds().contains(attendeeId))
			.map(PagesInvalidated::local)
			.toList();
	}

	@Test
	void webhookOnOneReplicaMakesEveryReplicaRefetch() {
		String before = replicas.get(0).get(CHATS).body();
		assertThat(replicas.get(2).get(CHATS).headers().firstValue("Cache-Status"))
			.hasValueSatisfying((status) -> assertThat(status).startsWith("chat-proxy; hit"));
		String after = Postpress.pageJson(5, null);
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(5, null)));

		// postpress' event reaches replica 1 only, over HTTP, as in production
		HttpResponse<String> accepted = replicas.get(1)
			.post("/webhooks/postpress", """
					{"event": "message_received", "account_id": "acc_1", "account_type": "LINKEDIN",
					 "chat_id": "chat_x", "timestamp": "2026-11-24T13:49:07.965Z", "message_id": "msg_1",
					 "attendees": [{"attendee_id": "att_1", "attendee_provider_id": "ACoA-unknown"}]}""",
					"X-Webhook-Secret", WEBHOOK_SECRET);

		assertThat(accepted.statusCode()).isEqualTo(200);
		assertThat(before).isNotEqualTo(after);
		// replicas 0 and 2 held the page locally, fresh for 30 s: only the fleet's
		// invalidation, through Redis, makes them fetch the new one
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			assertThat(replicas.get(0).get(CHATS).body()).isEqualTo(after);
			assertThat(replicas.get(2).get(CHATS).body()).isEqualTo(after);
		});
		assertThat(postpressCalls()).as("one call for the page, one after the event, fleet-wide").isEqualTo(2);
	}

	@Test
	void invalidationByChatMarksEverySharedPageListingItStale() {
		PageKey first = key("att_first");
		PageKey second = key("att_second");
		replica(0).load(first, () -> CompletableFuture.completedFuture(page("first"))).join();
		replica(1).load(second, () -> CompletableFuture.completedFuture(page("second"))).join();

		replicas.get(2)
			.bean(Invalidations.class)
			.invalidate(new Invalidation(Set.of(), Set.of("chat_b"), Set.of(), "webhook"));

		long now = Ticker.systemTicker().read();
		assertThat(replica(2).get(first).join().freshUntilNanos()).isLessThanOrEqualTo(now);
		assertThat(replica(2).get(second).join().freshUntilNanos()).isLessThanOrEqualTo(now);
	}

	@Test
	void redisHoldsNeitherTheApiKeyNorCallerHeadersNorIdsInKeyNames() {
		replicas.get(0)
			.get(CHATS + "?account_id=acc_secret_account", "X-API-KEY", "caller-key-123", "Authorization",
					"Bearer caller-token-456", "Cookie", "session=caller-cookie-789");
		replica(1).load(key("att_1"), () -> CompletableFuture.completedFuture(page(Postpress.pageJson(2, null))))
			.join();
		List<String> dump = redis.dump();
		assertThat(dump).isNotEmpty();
		assertThat(String.join("\n", dump)).doesNotContain(Postpress.API_KEY, "caller-key-123", "caller-token-456",
				"caller-cookie-789");
		assertThat(redis.keys())
			.allSatisfy((name) -> assertThat(name).startsWith("chat-proxy:").doesNotContain("att_1", "acc_", "chat_"));
	}

	private static SharedTier replica(int index) {
		return replicas.get(index).bean(SharedTier.class);
	}

	private static int postpressCalls() {
		return postpress.findAll(getRequestedFor(urlPathMatching(Postpress.BASE_PATH + "/chat_attendees/.+/chats")))
			.size();
	}

	private static PageKey key(String attendeeId) {
		return new PageKey("attendee_id=" + attendeeId + "&limit=100", List.of(attendeeId), List.of());
	}

	private static CachedPage page(String body) {
		long now = Ticker.systemTicker().read();
		return CachedPage.of(
				new ChatList(body.getBytes(StandardCharsets.UTF_8), Set.of("chat_a", "chat_b"), Set.of("acc_1")), now,
				now + Duration.ofSeconds(30).toNanos());
	}

	/**
	 * A storm of webhook events split across two replicas (issue 22): with
	 * {@code proxy.webhook.min-refresh-interval} at 1 s, the fleet marks an attendee's
	 * pages stale once per interval between all replicas, and once more at the storm's
	 * end, so that postpress is called at most once per page and interval fleet-wide, and
	 * every replica serves the pages fresh soon after the storm.
	 */
	@Nested
	class DuringAStorm {

		private static final Duration INTERVAL = Duration.ofSeconds(1);

		private static final String ATTENDEE = "att_storm";

		private final AtomicInteger senders = new AtomicInteger();

		@Test
		void stormSplitAcrossTwoReplicasIsOneInvalidationPerIntervalFleetWide() {
			postpress.stubFor(Postpress.chats(ATTENDEE).willReturn(Postpress.page(2, null)));
			List<String> pages = List.of("/attendees/" + ATTENDEE + "/chats",
					"/attendees/" + ATTENDEE + "/chats?limit=5");
			for (Replica replica : replicas) {
				pages.forEach(replica::get);
			}
			int calls = stormCalls();
			assertThat(calls).as("one call per page for the three replicas").isEqualTo(2);
			List<List<PagesInvalidated>> invalidated = replicas.stream().map(Replica::recordPagesInvalidated).toList();
			int events = 150;

			long start = System.nanoTime();
			for (int i = 0; i < events; i++) {
				if (i == events - 1) {
					postpress.stubFor(Postpress.chats(ATTENDEE)
						.willReturn(Postpress.page(1, null)
							.withBody(Postpress.pageJson(1, null).replace("chat_0", "chat_after_storm"))));
				}
				HttpResponse<String> accepted = replicas.get(i % 2)
					.post("/webhooks/postpress", stormEvent("chat_" + (i % 3)), "X-Webhook-Secret", WEBHOOK_SECRET);
				assertThat(accepted.statusCode()).isEqualTo(200);
				// readers on every replica keep reading: each stale page they meet is
				// refreshed
				Replica reader = replicas.get(i % 3);
				pages.forEach(reader::get);
			}
			long storm = System.nanoTime() - start;

			await("every replica serves the pages refreshed after the storm").atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> {
					for (Replica replica : replicas) {
						assertThat(pages).allSatisfy((page) -> {
							HttpResponse<String> read = replica.get(page);
							assertThat(read.body()).contains("chat_after_storm");
							assertThat(read.headers().firstValue("Cache-Status"))
								.hasValueSatisfying((status) -> assertThat(status).startsWith("chat-proxy; hit"));
						});
					}
				});
			// the intervals the storm began, and the trailing one after it
			long intervals = storm / INTERVAL.toNanos() + 2;
			long applied = invalidated.stream()
				.flatMap(List::stream)
				.filter((event) -> event.local() && event.invalidation().attendeeIds().contains(ATTENDEE))
				.count();
			assertThat(applied)
				.as("invalidations of %s fleet-wide for %d events in %d ms", ATTENDEE, events,
						Duration.ofNanos(storm).toMillis())
				.isLessThanOrEqualTo(intervals);
			assertThat(stormCalls() - calls)
				.as("postpress calls for %d events in %d ms", events, Duration.ofNanos(storm).toMillis())
				.isLessThanOrEqualTo((int) (pages.size() * intervals));
		}

		private int stormCalls() {
			return postpress
				.findAll(getRequestedFor(
						urlPathMatching(Postpress.BASE_PATH + "/chat_attendees/" + ATTENDEE + "/chats")))
				.size();
		}

		/** A busy chat's event: a sender of its own, the attendee among its attendees. */
		private String stormEvent(String chatId) {
			return """
					{"event": "message_received", "account_id": "acc_1", "chat_id": "%s",
					 "sender": {"attendee_id": "att_sender_%d"}, "attendees": [{"attendee_id": "%s"}]}"""
				.formatted(chatId, this.senders.incrementAndGet(), ATTENDEE);
		}

	}

}
