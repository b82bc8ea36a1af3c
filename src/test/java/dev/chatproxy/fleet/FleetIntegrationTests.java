package dev.chatproxy.fleet;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import com.github.benmanes.caffeine.cache.Ticker;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.chatproxy.ChatProxyApplication;
import dev.chatproxy.cache.CachedPage;
import dev.chatproxy.cache.Invalidation;
import dev.chatproxy.cache.Invalidations;
import dev.chatproxy.cache.PageKey;
import dev.chatproxy.cache.PagesInvalidated;
import dev.chatproxy.cache.SharedTier;
import dev.chatproxy.cache.SharedTier.Loaded;
import dev.chatproxy.support.Burst;
import dev.chatproxy.support.FleetRedis;
import dev.chatproxy.support.ManualTicker;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.PrometheusScrape;
import dev.chatproxy.support.ProxyClient;
import dev.chatproxy.support.RedisServer;
import dev.chatproxy.support.UpstreamGate;
import dev.chatproxy.upstream.ChatList;
import dev.chatproxy.upstream.UpstreamPause;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.lettuce.core.resource.ClientResources;
import io.micrometer.core.instrument.MeterRegistry;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.RedisTemplate;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * Fleet mode end to end on one standalone Redis, and without it: whole applications
 * (replicas) in front of the JVM's one fake postpress. Each nested class starts its own
 * {@code redis-server} and replicas and stops them when it ends; this class holds none,
 * so that no two Redis extensions meet in one class hierarchy (a nested class runs its
 * enclosing class' extensions again). The Sentinel, Cluster and TLS set-ups have classes
 * of their own; they and {@link WithClocksEightySecondsApart} run the
 * {@link FleetTopologyRules}.
 */
class FleetIntegrationTests {

	/**
	 * Three replicas in front of one postpress and one Redis share their pages, make one
	 * upstream call per page between them, and purge and invalidate together.
	 */
	@TestMethodOrder(MethodOrderer.Random.class)
	@Nested
	class ThreeReplicasOnOneRedis {

		private static final String CHATS = "/attendees/att_1/chats";

		@RegisterExtension
		static RedisServer redis = new RedisServer();

		private static final WireMockServer postpress = Postpress.server();

		static List<Replica> replicas = List.of();

		@BeforeAll
		static void startFleet() {
			// a generous Redis timeout, and a lease (postpress' response timeout) that a
			// late renewal on a busy test machine cannot lose while postpress is held:
			// this class proves sharing, not the fallback or a takeover (whose test sets
			// its own lease)
			replicas = Replica.startSubscribed(3, redis, postpress, "proxy.cache.redis-timeout=1s",
					"postpress.response-timeout=10s", "postpress.deadline=30s",
					"proxy.webhook.secret=" + Postpress.WEBHOOK_SECRET);
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
			// postpress answers once all 90 requests are in: on each replica 29 wait on
			// its own fetch and 1 asked Redis, and one of the three is calling postpress
			UpstreamGate gate = Postpress.hold(Postpress.chats(), Postpress.page(3, null));
			double collapsedBefore = Replica.total(replicas, "chatproxy.cache.collapsed");
			double sharedBefore = Replica.total(replicas, "chatproxy.cache.shared");
			List<HttpResponse<String>> responses = Burst.send(90, (i) -> replicas.get(i % 3).get(CHATS),
					() -> await().atMost(Duration.ofSeconds(30))
						.until(() -> gate.arrived() == 1
								&& Replica.total(replicas, "chatproxy.cache.collapsed") - collapsedBefore == 87
								&& Replica.total(replicas, "chatproxy.cache.shared") - sharedBefore == 3));
			assertThat(responses).allSatisfy((response) -> assertThat(response.statusCode()).isEqualTo(200));
			assertThat(postpressCalls()).isEqualTo(1);
			assertThat(responses).map((response) -> response.headers().firstValue("Cache-Status").orElseThrow())
				.containsOnly("chat-proxy; fwd=uri-miss; stored", "chat-proxy; fwd=uri-miss; collapsed")
				.filteredOn((status) -> status.endsWith("stored"))
				.hasSize(1);
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
				// still fresh, with no more than its 30 s TTL ahead and its age not
				// negative (no bound on how long this busy machine took to get here)
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
			// every load has asked Redis for the lease before the one upstream call
			// answers
			upstream.complete(page("crowd"));
			List<Loaded> results = loads.stream().map((load) -> load.orTimeout(10, TimeUnit.SECONDS).join()).toList();
			assertThat(calls).hasValue(1);
			assertThat(results).filteredOn(Loaded::collapsed).hasSize(89);
			assertThat(results)
				.allSatisfy((loaded) -> assertThat(new String(loaded.page().body(), StandardCharsets.UTF_8))
					.isEqualTo("crowd"));
		}

		@Test
		void waiterTakesOverTheLeaseOfAHolderThatDied() {
			PageKey key = key("att_orphan");
			// a holder that took the lease and died: nobody renews it, nobody fills the
			// page
			String lease = Leases.LEASE + SharedPageStore.hash(key.value());
			redis.command("SET", lease, "dead-holder", "PX", "800");
			AtomicInteger calls = new AtomicInteger();
			List<String> leaseWhenCalled = new ArrayList<>();
			// order, not milliseconds: the waiter calls postpress only once the dead
			// holder's lease has expired (the lease is then the waiter's own, or none),
			// and it does take over rather than wait for ever (the timeout only stops a
			// broken build)
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
			// replica 0's marker reaches the others after replica 1's own announcement
			// did
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
						"X-Webhook-Secret", Postpress.WEBHOOK_SECRET);

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

			// stale as of the moment each was read (Redis measures time left in whole
			// milliseconds, so a page marked in the same millisecond is stale from the
			// read on, not from any earlier reading of this ticker)
			for (PageKey key : List.of(first, second)) {
				CachedPage read = replica(2).get(key).join();
				assertThat(read).isNotNull();
				assertThat(read.isFreshAt(Ticker.systemTicker().read())).as(key.value()).isFalse();
			}
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
			assertThat(redis.keys()).allSatisfy(
					(name) -> assertThat(name).startsWith("chat-proxy:").doesNotContain("att_1", "acc_", "chat_"));
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
					new ChatList(body.getBytes(StandardCharsets.UTF_8), Set.of("chat_a", "chat_b"), Set.of("acc_1")),
					now, now + Duration.ofSeconds(30).toNanos());
		}

		/**
		 * A storm of webhook events split across two replicas (issue 22): with
		 * {@code proxy.webhook.min-refresh-interval} at 1 s, the fleet marks an
		 * attendee's pages stale once per interval between all replicas, and once more at
		 * the storm's end, so that postpress is called at most once per page and interval
		 * fleet-wide, and every replica serves the pages fresh soon after the storm.
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
				List<List<PagesInvalidated>> invalidated = replicas.stream()
					.map(Replica::recordPagesInvalidated)
					.toList();
				int events = 150;

				long start = System.nanoTime();
				for (int i = 0; i < events; i++) {
					if (i == events - 1) {
						postpress.stubFor(Postpress.chats(ATTENDEE)
							.willReturn(Postpress.page(1, null)
								.withBody(Postpress.pageJson(1, null).replace("chat_0", "chat_after_storm"))));
					}
					HttpResponse<String> accepted = replicas.get(i % 2)
						.post("/webhooks/postpress", stormEvent("chat_" + (i % 3)), "X-Webhook-Secret",
								Postpress.WEBHOOK_SECRET);
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

			/**
			 * A busy chat's event: a sender of its own, the attendee among its attendees.
			 */
			private String stormEvent(String chatId) {
				return """
						{"event": "message_received", "account_id": "acc_1", "chat_id": "%s",
						 "sender": {"attendee_id": "att_sender_%d"}, "attendees": [{"attendee_id": "%s"}]}"""
					.formatted(chatId, this.senders.incrementAndGet(), ATTENDEE);
			}

		}

	}

	/**
	 * A hung, refused or restarted Redis is never the callers' trouble: each replica
	 * works alone within {@code proxy.cache.redis-timeout}, says so in its health and
	 * metrics without failing readiness, and shares again once Redis answers.
	 */
	@TestMethodOrder(MethodOrderer.Random.class)
	@Nested
	class WhenRedisIsInTrouble {

		/**
		 * The bound here IS the contract (a request loses no more than
		 * {@code proxy.cache.redis-timeout}, 100 ms by default, to Redis), so it is
		 * measured, with a wide margin: a request that waited for a hung Redis would wait
		 * for the 6 s deadline (Lettuce's own command timeout is 60 s), while 5 s leaves
		 * a loaded 2-core machine fifty times the timeout for the upstream call and its
		 * own scheduling.
		 */
		private static final Duration WITHIN = Duration.ofSeconds(5);

		private static final AtomicInteger attendees = new AtomicInteger();

		private static final JsonMapper json = JsonMapper.builder().build();

		private static final WireMockServer postpress = Postpress.server();

		private static final List<Replica> pair = new ArrayList<>();

		@RegisterExtension
		static RedisServer redis = new RedisServer();

		@BeforeAll
		static void startTwoWarmReplicas() {
			postpress.stubFor(Postpress.chats().willReturn(Postpress.page(3, null)));
			for (int i = 0; i < 2; i++) {
				Replica replica = Replica.start(redis, postpress).awaitSubscribed();
				// a JVM's first upstream call is slow (classes, connection pools): not
				// Redis' doing
				assertThat(replica.get("/attendees/att_warm_" + i + "/chats").statusCode()).isEqualTo(200);
				pair.add(replica);
			}
		}

		@AfterAll
		static void stopFleet() {
			pair.forEach(Replica::close);
		}

		@BeforeEach
		void stubPostpressAndCloseTheRedisBreakers() {
			postpress.resetAll();
			postpress.stubFor(Postpress.chats().willReturn(Postpress.page(3, null)));
			// whatever an earlier test left: each test starts from a fleet that uses
			// Redis
			pair.forEach(Replica::resetRedisBreaker);
		}

		@AfterEach
		void healRedis() {
			redis.thaw();
			redis.start();
		}

		@Test
		void hungRedisNeitherFailsNorSlowsRequests() {
			eachAnswersAloneWhile(redis::freeze, pair.get(0));

			redis.thaw();
			assertSharingResumes();
		}

		@Test
		void refusedRedisNeitherFailsNorSlowsRequestsAndSharingResumesWhenItIsBack() {
			eachAnswersAloneWhile(redis::stop, pair.get(1));

			redis.start();
			assertSharingResumes();
			// the pub/sub connection came back too: a purge on one replica reaches the
			// other
			String chats = newChats();
			pair.get(0).get(chats);
			postpress.stubFor(Postpress.chats().willReturn(Postpress.page(4, null)));
			assertThat(pair.get(1).management().send("DELETE", "/actuator/caches").statusCode()).isEqualTo(204);
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(pair.get(0).get(chats).body()).isEqualTo(Postpress.pageJson(4, null)));
		}

		@Test
		void aReplicaStartsWhileRedisIsDownAndJoinsTheFleetWhenItIsBack() {
			redis.stop();
			Replica late = Replica.start(redis, postpress);
			try {
				assertAnsweredAlone(late, newChats());
				assertFallbackShown(late);

				redis.start();
				late.awaitSubscribed();
				String chats = newChats();
				pair.get(0).get(chats);
				await().atMost(Duration.ofSeconds(15))
					.untilAsserted(() -> assertThat(late.get(chats).headers().firstValue("Cache-Status"))
						.hasValueSatisfying((status) -> assertThat(status).startsWith("chat-proxy; hit;")));
			}
			finally {
				late.close();
			}
		}

		@Test
		void metricsCountTheFallbacks() {
			Replica replica = pair.get(0);
			// differences between two scrapes: earlier tests' fallbacks do not count
			PrometheusScrape before = PrometheusScrape.of(replica.management());
			redis.freeze();
			assertAnsweredAlone(replica, newChats());
			await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
				PrometheusScrape after = PrometheusScrape.of(replica.management());
				assertThat(after.sum("chatproxy_cache_shared_fallback_total"))
					.isGreaterThanOrEqualTo(before.sum("chatproxy_cache_shared_fallback_total") + 1);
				assertThat(after.sum("chatproxy_cache_shared_total", "result=\"error\""))
					.isGreaterThanOrEqualTo(before.sum("chatproxy_cache_shared_total", "result=\"error\"") + 1);
			});
		}

		/**
		 * Puts Redis in trouble, then has each replica of the pair answer alone, and one
		 * of them show the fallback in its health.
		 */
		private static void eachAnswersAloneWhile(Runnable trouble, Replica showingIt) {
			trouble.run();
			for (int i = 0; i < 8; i++) {
				assertAnsweredAlone(pair.get(i % 2), newChats());
			}
			assertFallbackShown(showingIt);
		}

		private static void assertAnsweredAlone(Replica replica, String chats) {
			long started = System.nanoTime();
			HttpResponse<String> response = replica.get(chats);
			Duration took = Duration.ofNanos(System.nanoTime() - started);
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.headers().firstValue("Cache-Status")).hasValue("chat-proxy; fwd=uri-miss; stored");
			assertThat(took).isLessThan(WITHIN);
		}

		private static void assertFallbackShown(Replica replica) {
			await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
				HttpResponse<String> health = replica.management().get("/actuator/health");
				assertThat(health.statusCode()).isEqualTo(200);
				JsonNode body = json.readTree(health.body());
				assertThat(body.path("status").asString()).isEqualTo("UP");
				assertThat(body.at("/components/sharedCache/status").asString()).isEqualTo("FALLBACK");
			});
			assertThat(replica.management().get("/actuator/health/readiness").statusCode()).isEqualTo(200);
			assertThat(replica.management().get("/actuator/health/liveness").statusCode()).isEqualTo(200);
		}

		private static void assertSharingResumes() {
			await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
				for (Replica replica : pair) {
					JsonNode health = json.readTree(replica.management().get("/actuator/health").body());
					assertThat(health.at("/components/sharedCache/status").asString()).isEqualTo("UP");
				}
				String chats = newChats();
				pair.get(0).get(chats);
				assertThat(pair.get(1).get(chats).headers().firstValue("Cache-Status"))
					.hasValueSatisfying((status) -> assertThat(status).startsWith("chat-proxy; hit;"));
			});
		}

		private static String newChats() {
			return "/attendees/att_trouble_" + attendees.incrementAndGet() + "/chats";
		}

	}

	/**
	 * The fleet's upstream budget and 429 pause (CONTRACT.md sections 9 and 11): two
	 * replicas (two application contexts) in front of one WireMock postpress and one real
	 * Redis, with a fleet budget of 4 calls refilled at one per 100 s.
	 */
	@TestMethodOrder(MethodOrderer.Random.class)
	@Nested
	class UpstreamBudgetAndPause {

		private static final WireMockServer postpress = Postpress.server();

		@RegisterExtension
		static RedisServer redis = new RedisServer();

		private static final AtomicInteger attendees = new AtomicInteger();

		/** The wall clock of every replica, which the test moves past a pause. */
		private static final SkewedClock clock = new SkewedClock(Duration.ZERO);

		private static Replica first;

		private static Replica second;

		@BeforeAll
		static void startTwoReplicas() {
			first = Replica.start();
			second = Replica.start();
		}

		@AfterAll
		static void stopReplicas() {
			for (Replica replica : new Replica[] { first, second }) {
				if (replica != null) {
					replica.context.close();
				}
			}
		}

		@BeforeEach
		void refillTheFleetBudget() {
			postpress.resetAll();
			redis.flushAll();
			first.resetBreakers();
			second.resetBreakers();
			// a pause an earlier test left is over, also one whose message reaches a
			// replica late: a marker pause that outlasts any, published after them on
			// the same channel, is heard by each replica after them (again, a longer
			// one, until both heard the same: a replica resubscribing after a test that
			// stopped Redis misses some); then the clock moves past it (it only moves
			// forward)
			await("every replica heard the same marker").atMost(PATIENCE).until(() -> {
				long left = 600_000 + markers.incrementAndGet();
				String marker = "drained-" + left;
				redis.command("PUBLISH", RedisUpstreamPause.CHANNEL, left + " errors/too_many_requests " + marker);
				try {
					await().atMost(Duration.ofSeconds(2))
						.until(() -> marker(first.pause().current(), marker)
								&& marker(second.pause().current(), marker));
					return true;
				}
				catch (ConditionTimeoutException ex) {
					return false;
				}
			});
			clock.advance(Duration.ofMinutes(11));
			assertThat(first.pause().current()).isNull();
			assertThat(second.pause().current()).isNull();
			postpress.stubFor(Postpress.chats().willReturn(Postpress.page(2, null)));
		}

		/**
		 * The bound on a request while Redis is down or hung IS the contract
		 * ({@code proxy.cache.redis-timeout}, 1 s here), so it is measured, with a wide
		 * margin: a request that waited for Redis would wait for Lettuce's 60 s command
		 * timeout or the 25 s deadline, while 10 s leaves a loaded 2-core machine nine
		 * seconds for the upstream call and its own scheduling.
		 */
		private static final Duration WITHIN_THE_REDIS_TIMEOUT = Duration.ofSeconds(10);

		/**
		 * The time a pub/sub message or an asynchronous read may take on a loaded
		 * machine.
		 */
		private static final Duration PATIENCE = Duration.ofSeconds(20);

		private static final AtomicLong markers = new AtomicLong();

		@Test
		void theFleetSharesOneBudget() {
			double fallbacksBefore = first.budgetFallbacks() + second.budgetFallbacks();
			for (int i = 0; i < 2; i++) {
				assertThat(first.getChats(nextAttendee()).statusCode()).isEqualTo(200);
				assertThat(second.getChats(nextAttendee()).statusCode()).isEqualTo(200);
			}

			HttpResponse<String> refusedByFirst = first.getChats(nextAttendee());
			HttpResponse<String> refusedBySecond = second.getChats(nextAttendee());

			for (HttpResponse<String> refused : java.util.List.of(refusedByFirst, refusedBySecond)) {
				assertThat(refused.statusCode()).isEqualTo(503);
				assertThat(refused.body()).contains("errors/service_unavailable");
				assertThat(refused.headers().firstValue("Retry-After"))
					.hasValueSatisfying((seconds) -> assertThat(Integer.parseInt(seconds)).isBetween(90, 100));
			}
			assertThat(upstreamCalls()).isEqualTo(4);
			assertThat(first.budgetFallbacks() + second.budgetFallbacks()).isEqualTo(fallbacksBefore);
		}

		@Test
		void a429WithRetryAfterPausesEveryReplicaWithoutCallingPostpress() {
			postpress.stubFor(Postpress.chats()
				.willReturn(Postpress.error(429, "errors/too_many_requests").withHeader("Retry-After", "3")));

			HttpResponse<String> limited = first.getChats(nextAttendee());
			assertThat(limited.statusCode()).isEqualTo(429);
			assertThat(limited.headers().firstValue("Retry-After")).hasValue("3");
			await("the pause reaching the second replica").atMost(PATIENCE)
				.until(() -> second.pause().current() != null);

			HttpResponse<String> paused = second.getChats(nextAttendee());

			assertThat(paused.statusCode()).isEqualTo(429);
			assertThat(paused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
			assertThat(paused.body()).contains("\"type\":\"errors/too_many_requests\"");
			assertThat(paused.headers().firstValue("Retry-After"))
				.hasValueSatisfying((seconds) -> assertThat(Integer.parseInt(seconds)).isBetween(1, 3));
			assertThat(upstreamCalls()).isEqualTo(1);
			assertThat(redis.dump()).noneMatch((entry) -> entry.contains(Postpress.API_KEY));
			endThePause();
			assertThat(second.getChats(nextAttendee()).statusCode()).isEqualTo(429);
			assertThat(upstreamCalls()).isEqualTo(2);
			endThePause();
		}

		@Test
		void requestsHeldBackByThePauseDoNotOpenTheCircuitBreaker() {
			postpress.stubFor(Postpress.chats()
				.willReturn(Postpress.error(429, "errors/too_many_requests").withHeader("Retry-After", "120")));
			assertThat(first.getChats(nextAttendee()).statusCode()).isEqualTo(429);
			await("the pause reaching the second replica").atMost(PATIENCE)
				.until(() -> second.pause().current() != null);
			CircuitBreaker breaker = second.postpressBreaker();
			long failedBefore = breaker.getMetrics().getNumberOfFailedCalls();

			// twice the breaker's window: were they counted as failures, it would open
			for (int i = 0; i < 20; i++) {
				assertThat(second.getChats(nextAttendee()).statusCode()).isEqualTo(429);
			}

			assertThat(upstreamCalls()).as("held back: only the first call reached postpress").isEqualTo(1);
			assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
			assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isEqualTo(failedBefore);
			assertThat(first.postpressBreaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
			endThePause();
			postpress.stubFor(Postpress.chats().willReturn(Postpress.page(2, null)));
			HttpResponse<String> after = second.getChats(nextAttendee());
			assertThat(after.statusCode()).isEqualTo(200);
			assertThat(upstreamCalls()).as("the closed breaker lets the call through").isEqualTo(2);
		}

		@Test
		void aReplicaStartedDuringAPauseHoldsItToo() {
			postpress.stubFor(Postpress.chats()
				.willReturn(Postpress.error(429, "errors/too_many_requests").withHeader("Retry-After", "120")));
			assertThat(first.getChats(nextAttendee()).statusCode()).isEqualTo(429);
			await().atMost(PATIENCE).until(() -> redis.keys().contains(RedisUpstreamPause.KEY));

			Replica late = Replica.start();
			try {
				// the late replica reads the pause from Redis asynchronously once started
				await("the late replica reading the pause").atMost(PATIENCE)
					.until(() -> late.pause().current() != null);
				HttpResponse<String> paused = late.getChats(nextAttendee());

				assertThat(paused.statusCode()).isEqualTo(429);
				assertThat(paused.headers().firstValue("Retry-After"))
					.hasValueSatisfying((seconds) -> assertThat(Integer.parseInt(seconds)).isBetween(1, 120));
				assertThat(upstreamCalls()).isEqualTo(1);
			}
			finally {
				late.context.close();
			}
			endThePause();
		}

		@Test
		void whilePausedAStaleCopyIsServed() {
			String attendee = nextAttendee();
			HttpResponse<String> stored = second.getChats(attendee);
			assertThat(stored.statusCode()).isEqualTo(200);
			// the shared copy (written before the answer) has times of Redis' own clock,
			// which no replica moves: it is gone from Redis, as at the end of its
			// lifetime there, and the local copy is past its TTL and the
			// stale-while-revalidate window: only stale-if-error applies
			redis.flushAll();
			second.ticker().advance(Duration.ofSeconds(75));
			postpress.stubFor(Postpress.chats()
				.willReturn(Postpress.error(429, "errors/too_many_requests").withHeader("Retry-After", "3")));
			assertThat(first.getChats(nextAttendee()).statusCode()).isEqualTo(429);
			await().atMost(PATIENCE).until(() -> second.pause().current() != null);

			HttpResponse<String> stale = second.getChats(attendee);

			assertThat(stale.statusCode()).isEqualTo(200);
			assertThat(stale.body()).isEqualTo(stored.body());
			assertThat(stale.headers().firstValue("Cache-Status"))
				.hasValueSatisfying((status) -> assertThat(status).startsWith("chat-proxy; hit; ttl=-")
					.endsWith("detail=stale-if-error"));
			assertThat(upstreamCalls()).isEqualTo(2);
			endThePause();
		}

		@Test
		void withRedisDownEachReplicaSpendsItsOwnBudgetAndStillServes() {
			double fallbacksBefore = first.budgetFallbacks();
			redis.stop();
			try {
				assertServedWithinTheRedisTimeout(first, 4);
				assertThat(first.getChats(nextAttendee()).statusCode()).isEqualTo(503);
				assertThat(upstreamCalls()).isEqualTo(4);
				assertThat(first.budgetFallbacks()).isEqualTo(fallbacksBefore + 5);
			}
			finally {
				redis.start();
				await("both replicas reconnected to Redis").atMost(Duration.ofSeconds(60))
					.until(() -> first.reachesRedis() && second.reachesRedis());
			}
		}

		@Test
		void aHungRedisAddsNoMoreThanItsTimeout() {
			assertThat(first.getChats(nextAttendee()).statusCode()).isEqualTo(200);
			double fallbacksBefore = second.budgetFallbacks();
			redis.freeze();
			try {
				assertServedWithinTheRedisTimeout(second, 3);
				assertThat(second.budgetFallbacks()).isEqualTo(fallbacksBefore + 3);
			}
			finally {
				redis.thaw();
			}
			assertThat(upstreamCalls()).isEqualTo(4);
		}

		/**
		 * Asks a replica for pages of new attendees, each answered with a 200 within the
		 * Redis timeout.
		 */
		private static void assertServedWithinTheRedisTimeout(Replica replica, int pages) {
			for (int i = 0; i < pages; i++) {
				long started = System.nanoTime();
				assertThat(replica.getChats(nextAttendee()).statusCode()).isEqualTo(200);
				assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(WITHIN_THE_REDIS_TIMEOUT);
			}
		}

		private static boolean marker(UpstreamPause.Pause pause, String marker) {
			return pause != null && pause.title().equals(marker);
		}

		private static void endThePause() {
			clock.advance(Duration.ofMinutes(3));
			assertThat(first.pause().current()).isNull();
			assertThat(second.pause().current()).isNull();
		}

		private static String nextAttendee() {
			return "att_fleet_" + attendees.incrementAndGet();
		}

		private static int upstreamCalls() {
			return postpress.countRequestsMatching(getRequestedFor(urlPathMatching(".*")).build()).getCount();
		}

		/**
		 * One replica: a whole application on random ports, pointed at the shared fakes.
		 */
		record Replica(ConfigurableApplicationContext context, ProxyClient proxy) {

			static Replica start() {
				Map<String, Object> properties = new HashMap<>();
				properties.put("server.port", "0");
				properties.put("management.server.port", "0");
				properties.put("postpress.base-url", postpress.baseUrl() + Postpress.BASE_PATH);
				properties.put("postpress.api-key", Postpress.API_KEY);
				properties.put("resilience4j.retry.configs.default.wait-duration", "10ms");
				properties.put("resilience4j.retry.configs.default.exponential-max-wait-duration", "20ms");
				properties.put("proxy.cache.shared", "redis");
				// generous for a busy test machine; what matters is that it bounds the
				// wait
				properties.put("proxy.cache.redis-timeout", "1s");
				properties.put("spring.data.redis.url", redis.url());
				properties.put("postpress.rate-limit.requests-per-second", "0.01");
				properties.put("postpress.rate-limit.burst", "4");
				// as arguments, so that they win over application.yml
				String[] arguments = properties.entrySet()
					.stream()
					.map((property) -> "--" + property.getKey() + "=" + property.getValue())
					.toArray(String[]::new);
				ConfigurableApplicationContext context = new SpringApplicationBuilder(ChatProxyApplication.class,
						ManualClock.class)
					.run(arguments);
				int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
				return new Replica(context, new ProxyClient(port));
			}

			HttpResponse<String> getChats(String attendee) {
				return this.proxy.get("/attendees/" + attendee + "/chats");
			}

			UpstreamPause pause() {
				return this.context.getBean(UpstreamPause.class);
			}

			ManualTicker ticker() {
				return this.context.getBean(ManualTicker.class);
			}

			double budgetFallbacks() {
				return this.context.getBean(MeterRegistry.class)
					.get("chatproxy.upstream.budget.fallback")
					.counter()
					.count();
			}

			boolean reachesRedis() {
				try {
					return "PONG".equals(this.context.getBean(ReactiveStringRedisTemplate.class)
						.execute((connection) -> connection.ping())
						.next()
						.block(Duration.ofSeconds(1)));
				}
				catch (RuntimeException ex) {
					return false;
				}
			}

			CircuitBreaker postpressBreaker() {
				return this.context.getBean(CircuitBreakerRegistry.class).circuitBreaker("postpress");
			}

			void resetBreakers() {
				this.context.getBean(CircuitBreakerRegistry.class).getAllCircuitBreakers().forEach((b) -> b.reset());
			}

		}

		@Configuration(proxyBeanMethods = false)
		static class ManualClock {

			@Bean
			@Primary
			ManualTicker manualTicker() {
				return new ManualTicker();
			}

			@Bean
			Clock pauseClock() {
				return clock;
			}

		}

	}

	/**
	 * Without {@code proxy.cache.shared=redis} nothing of fleet mode is wired: no bean of
	 * the fleet package, the cache's no-op shared tier, not even a Redis client, no Redis
	 * connection tried, and health knows nothing of Redis.
	 */
	@Nested
	class WhenFleetModeIsOff {

		private static final WireMockServer postpress = Postpress.server();

		@Test
		void noRedisConnectionIsTriedAndHealthShowsNoRedis() throws IOException {
			postpress.stubFor(Postpress.chats().willReturn(Postpress.page(2, null)));
			// a port that would notice any connection the application makes to "Redis"
			try (ServerSocket redis = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
					ConfigurableApplicationContext context = new SpringApplicationBuilder(ChatProxyApplication.class)
						.run("--server.port=0", "--server.address=127.0.0.1", "--management.server.port=0",
								"--management.server.address=127.0.0.1",
								"--postpress.base-url=" + postpress.baseUrl() + Postpress.BASE_PATH,
								"--postpress.api-key=" + Postpress.API_KEY,
								"--spring.data.redis.url=redis://127.0.0.1:" + redis.getLocalPort())) {
				ProxyClient api = new ProxyClient(port(context, "local.server.port"));
				ProxyClient management = new ProxyClient(port(context, "local.management.port"));

				assertThat(api.get("/attendees/att_1/chats").statusCode()).isEqualTo(200);
				JsonNode health = JsonMapper.builder().build().readTree(management.get("/actuator/health").body());

				assertThat(health.path("status").asString()).isEqualTo("UP");
				assertThat(health.path("components").has("sharedCache")).isFalse();
				assertThat(health.path("components").has("redis")).isFalse();
				assertThat(context.getBeansOfType(RedisSharedTier.class)).isEmpty();
				assertThat(context.getBean(SharedTier.class).getClass().getPackageName())
					.isEqualTo("dev.chatproxy.cache");
				assertThat(Arrays.stream(context.getBeanDefinitionNames()).map(context::getType)).filteredOn(
						(type) -> type != null && type.getPackageName().equals(RedisSharedTier.class.getPackageName()))
					.as("beans of the fleet package")
					.isEmpty();
				// nor even a Redis client: Spring Boot's Redis auto-configuration is left
				// out
				assertThat(context.getBeanNamesForType(RedisConnectionFactory.class)).isEmpty();
				assertThat(context.getBeanNamesForType(ClientResources.class)).isEmpty();
				assertThat(context.getBeanNamesForType(RedisTemplate.class)).isEmpty();
				assertThat(context.getBeanNamesForType(DataRedisProperties.class)).isEmpty();
				redis.setSoTimeout(200);
				try {
					redis.accept().close();
					throw new AssertionError("the application connected to Redis with fleet mode off");
				}
				catch (SocketTimeoutException expected) {
					// nothing connected
				}
			}
		}

		private static int port(ConfigurableApplicationContext context, String property) {
			return Integer.parseInt(context.getEnvironment().getProperty(property));
		}

	}

	/**
	 * A Redis set-up fleet mode cannot serve fails start-up with a message that says why
	 * and what to use instead, rather than a replica that starts and shares nothing.
	 * Redis need not run: the settings alone decide.
	 */
	@ExtendWith(OutputCaptureExtension.class)
	@Nested
	class OnAnUnsupportedTopology {

		@Test
		void aStaticPrimaryAndReplicasFailStartUpSayingWhy(CapturedOutput output) {
			SpringApplicationBuilder application = new SpringApplicationBuilder(ChatProxyApplication.class).properties(
					"server.port=0", "management.server.port=0", "postpress.api-key=" + Postpress.API_KEY,
					"proxy.cache.shared=redis", "spring.data.redis.masterreplica.nodes=127.0.0.1:1,127.0.0.1:2");

			assertThatException().isThrownBy(application::run)
				.withRootCauseInstanceOf(UnsupportedRedisTopologyException.class);
			assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
				.contains("Fleet mode (proxy.cache.shared=redis) cannot run on this Redis")
				.contains("spring.data.redis.masterreplica.nodes")
				.contains("spring.data.redis.sentinel.master")
				.contains("spring.data.redis.cluster.nodes");
		}

	}

	/**
	 * Two replicas whose wall clocks are 80 seconds apart, more than a page's whole life,
	 * on one standalone Redis: every rule of section 9 holds, because every age and time
	 * left in Redis is on Redis' clock and every pause crosses replicas as the time it
	 * has left.
	 */
	@Nested
	class WithClocksEightySecondsApart extends FleetTopologyRules {

		@RegisterExtension
		static RedisServer server = new RedisServer();

		private static final FleetRedis redis = new FleetRedis() {

			@Override
			public List<String> springProperties() {
				return List.of("spring.data.redis.url=" + server.url());
			}

			@Override
			public List<String> keys() {
				return server.keys();
			}

			@Override
			public void flushAll() {
				server.flushAll();
			}

			@Override
			public String command(String... command) {
				return server.command(command);
			}

		};

		@Override
		FleetRedis redis() {
			return redis;
		}

		@Override
		List<Duration> clockOffsets() {
			return List.of(Duration.ofSeconds(-40), Duration.ofSeconds(40));
		}

		@Test
		void aPageStoredByTheReplicaAheadIsFreshForTheOneBehind() {
			String chats = chats(nextAttendee());
			assertThat(replica(1).get(chats).statusCode()).isEqualTo(200);

			assertThat(replica(0).get(chats).headers().firstValue("Cache-Status"))
				.hasValueSatisfying((status) -> assertThat(status).matches("chat-proxy; hit; ttl=(29|30)"));
			assertThat(upstreamCalls()).isEqualTo(1);
		}

		@Test
		void aPageJustStoredByTheReplicaBehindAnswersTheLoadOfTheOneAhead() {
			PageKey key = new PageKey("attendee_id=att_skew&limit=100", List.of("att_skew"), List.of());
			shared(0).load(key, () -> CompletableFuture.completedFuture(page("stored behind"))).join();
			AtomicInteger calls = new AtomicInteger();

			Loaded loaded = shared(1).load(key, () -> {
				calls.incrementAndGet();
				return CompletableFuture.completedFuture(page("fetched again"));
			}).orTimeout(10, TimeUnit.SECONDS).join();

			assertThat(calls).hasValue(0);
			assertThat(loaded.collapsed()).isTrue();
			assertThat(new String(loaded.page().body(), StandardCharsets.UTF_8)).isEqualTo("stored behind");
		}

		@Test
		void aSharedPageKeepsItsAgeWhicheverReplicaReadsIt() {
			PageKey key = new PageKey("attendee_id=att_age&limit=100", List.of("att_age"), List.of());
			long before = Ticker.systemTicker().read();
			shared(0).load(key, () -> CompletableFuture.completedFuture(page("aged"))).join();

			for (int i = 0; i < 2; i++) {
				CachedPage read = shared(i).get(key).join();
				long now = Ticker.systemTicker().read();
				assertThat(read).isNotNull();
				// the age is no more than the time this test has taken (plus the
				// milliseconds Redis rounds to), whatever the replicas' clocks say
				long elapsed = now - before;
				long rounding = Duration.ofMillis(2).toNanos();
				assertThat(now - read.storedAtNanos()).isBetween(-rounding, elapsed + rounding);
				assertThat(read.freshUntilNanos() - now).isBetween(
						Duration.ofSeconds(30).toNanos() - elapsed - rounding,
						Duration.ofSeconds(30).toNanos() + rounding);
			}
		}

		private SharedTier shared(int replica) {
			return replica(replica).bean(SharedTier.class);
		}

		private static CachedPage page(String body) {
			long now = Ticker.systemTicker().read();
			return CachedPage.of(new ChatList(body.getBytes(StandardCharsets.UTF_8), Set.of("chat_a"), Set.of("acc_1")),
					now, now + Duration.ofSeconds(30).toNanos());
		}

	}

}
