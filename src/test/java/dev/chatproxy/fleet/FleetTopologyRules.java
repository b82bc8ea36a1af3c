package dev.chatproxy.fleet;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.chatproxy.cache.Invalidation;
import dev.chatproxy.cache.Invalidations;
import dev.chatproxy.support.Burst;
import dev.chatproxy.support.FleetRedis;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.UpstreamGate;
import dev.chatproxy.upstream.UpstreamPause;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fleet rules of CONTRACT.md section 9, run by two replicas on one Redis set-up (each
 * subclass brings its own real processes): one upstream call per page between them,
 * invalidations and purges fleet-wide, the 429 pause and the upstream budget shared, and
 * Redis trouble never failing a request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FleetTopologyRules {

	/**
	 * Calls the fleet may make per test: the shared bucket, refilled by emptying Redis.
	 */
	static final int BUDGET = 8;

	static final WireMockServer postpress = Postpress.server();

	private static final AtomicInteger attendees = new AtomicInteger();

	final List<Replica> replicas = new ArrayList<>();

	/**
	 * The replicas' wall clocks, several seconds apart, moved past a pause by the test.
	 */
	final List<SkewedClock> clocks = List.of(new SkewedClock(Duration.ZERO), new SkewedClock(Duration.ofSeconds(7)));

	abstract FleetRedis redis();

	/**
	 * How far each replica's wall clock is off: no rule may compare two of them.
	 * @return the two offsets
	 */
	List<Duration> clockOffsets() {
		return List.of(Duration.ZERO, Duration.ofSeconds(7));
	}

	@BeforeAll
	void startFleet() {
		for (int i = 0; i < 2; i++) {
			// a generous Redis timeout: these classes prove sharing on a busy machine
			// (the fallback's bound is FleetIntegrationTests.WhenRedisIsInTrouble'),
			// and a response timeout long enough that a cold, busy JVM never retries a
			// call
			this.replicas.add(Replica.start(redis(), postpress, this.clocks.get(i), "proxy.cache.redis-timeout=1s",
					"postpress.response-timeout=10s", "postpress.deadline=30s",
					"postpress.rate-limit.requests-per-second=0.01", "postpress.rate-limit.burst=100000"));
		}
		this.replicas.forEach(Replica::awaitSubscribed);
		// first requests open connections and load code: out of the tests' way
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(3, null)));
		this.replicas.forEach((replica) -> replica.get(chats(nextAttendee())));
	}

	@AfterAll
	void stopFleet() {
		this.replicas.forEach(Replica::close);
	}

	@BeforeEach
	void emptyEverything() {
		postpress.resetAll();
		redis().flushAll();
		for (Replica replica : this.replicas) {
			replica.resetRedisBreaker();
			replica.management().send("DELETE", "/actuator/caches");
		}
		// the purge above ran before this one: the budget starts full
		redis().flushAll();
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(3, null)));
	}

	@Test
	void aPageFetchedByOneReplicaIsAHitOnTheOther() {
		String chats = chats(nextAttendee());
		HttpResponse<String> first = replica(0).get(chats);
		HttpResponse<String> second = replica(1).get(chats);

		assertThat(first.statusCode()).isEqualTo(200);
		assertThat(second.statusCode()).isEqualTo(200);
		assertThat(second.body()).isEqualTo(first.body());
		assertThat(second.headers().firstValue("Cache-Status"))
			.hasValueSatisfying((status) -> assertThat(status).matches("chat-proxy; hit; ttl=(29|30)"));
		assertThat(upstreamCalls()).isEqualTo(1);
	}

	@Test
	void concurrentMissesOnBothReplicasMakeOneUpstreamCall() throws Exception {
		String chats = chats(nextAttendee());
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(3, null).withTransformers(UpstreamGate.NAME)));
		UpstreamGate gate = Postpress.gate();
		gate.close();
		double collapsedBefore = Replica.total(this.replicas, "chatproxy.cache.collapsed");
		double sharedBefore = Replica.total(this.replicas, "chatproxy.cache.shared");
		// on each replica 9 wait on its own fetch and 1 asked Redis; one is calling
		List<HttpResponse<String>> responses = Burst.send(20, (i) -> replica(i % 2).get(chats),
				() -> await().atMost(Duration.ofSeconds(30))
					.until(() -> gate.arrived() == 1
							&& Replica.total(this.replicas, "chatproxy.cache.collapsed") - collapsedBefore == 18
							&& Replica.total(this.replicas, "chatproxy.cache.shared") - sharedBefore == 2));
		assertThat(responses).allSatisfy((response) -> assertThat(response.statusCode()).isEqualTo(200));
		assertThat(upstreamCalls()).isEqualTo(1);
	}

	@Test
	void anInvalidationOnOneReplicaReachesTheOtherAndTheSharedCopy() {
		String attendee = nextAttendee();
		String before = replica(0).get(chats(attendee)).body();
		assertThat(replica(1).get(chats(attendee)).body()).isEqualTo(before);
		String after = Postpress.pageJson(5, null);
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(5, null)));

		replica(1).bean(Invalidations.class)
			.invalidate(new Invalidation(Set.of(attendee), Set.of(), Set.of(), "operator"));

		// stale-while-revalidate answers the old page once, while it refreshes
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			assertThat(replica(0).get(chats(attendee)).body()).isEqualTo(after);
			assertThat(replica(1).get(chats(attendee)).body()).isEqualTo(after);
		});
	}

	@Test
	void aPurgeOnOneReplicaEmptiesTheOtherAndEveryPrimary() {
		List<String> pages = List.of(nextAttendee(), nextAttendee(), nextAttendee(), nextAttendee());
		pages.forEach((attendee) -> assertThat(replica(0).get(chats(attendee)).statusCode()).isEqualTo(200));
		assertThat(replica(1).get(chats(pages.get(0))).headers().firstValue("Cache-Status").orElseThrow())
			.startsWith("chat-proxy; hit");
		assertThat(redis().keys()).filteredOn((key) -> key.startsWith(SharedPageStore.PAGE)).hasSize(pages.size());
		String after = Postpress.pageJson(5, null);
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(5, null)));

		assertThat(replica(1).management().send("DELETE", "/actuator/caches").statusCode()).isEqualTo(204);

		assertThat(redis().keys())
			.noneMatch((key) -> key.startsWith(SharedPageStore.PAGE) || key.startsWith(SharedPageStore.INDEX));
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(replica(0).get(chats(pages.get(0))).body()).isEqualTo(after));
	}

	@Test
	void a429PausesTheWholeFleet() {
		postpress.stubFor(Postpress.chats()
			.willReturn(Postpress.error(429, "errors/too_many_requests").withHeader("Retry-After", "20")));
		try {
			assertThat(replica(0).get(chats(nextAttendee())).statusCode()).isEqualTo(429);
			int calls = upstreamCalls();
			await("the pause reaching the other replica").atMost(Duration.ofSeconds(10))
				.until(() -> replica(1).bean(UpstreamPause.class).current() != null);
			HttpResponse<String> paused = replica(1).get(chats(nextAttendee()));

			assertThat(paused.statusCode()).isEqualTo(429);
			assertThat(paused.headers().firstValue("Retry-After"))
				.hasValueSatisfying((seconds) -> assertThat(Integer.parseInt(seconds)).isBetween(1, 20));
			assertThat(upstreamCalls()).isEqualTo(calls);
		}
		finally {
			// the pause ends on every replica's own clock, however far apart they are
			this.clocks.forEach((clock) -> clock.advance(Duration.ofSeconds(21)));
		}
		assertThat(this.replicas)
			.allSatisfy((replica) -> assertThat(replica.bean(UpstreamPause.class).current()).isNull());
	}

	@Test
	void theFleetSharesOneBudget() {
		// a bucket that holds a few tokens, as after many calls
		redis().command("HSET", RedisUpstreamBudget.KEY, "tokens", Integer.toString(BUDGET));
		for (int i = 0; i < BUDGET; i++) {
			assertThat(replica(i % 2).get(chats(nextAttendee())).statusCode()).isEqualTo(200);
		}

		assertThat(replica(0).get(chats(nextAttendee())).statusCode()).isEqualTo(503);
		assertThat(replica(1).get(chats(nextAttendee())).statusCode()).isEqualTo(503);
		assertThat(upstreamCalls()).isEqualTo(BUDGET);
	}

	/**
	 * Requests for pages cached before the trouble, and for new ones, from several
	 * threads on both replicas while {@code trouble} runs: none may fail.
	 * @param trouble what happens to Redis meanwhile
	 */
	void noRequestFailsWhile(Runnable trouble) throws Exception {
		List<String> cached = List.of(nextAttendee(), nextAttendee(), nextAttendee());
		cached.forEach((attendee) -> assertThat(replica(0).get(chats(attendee)).statusCode()).isEqualTo(200));
		AtomicInteger served = new AtomicInteger();
		List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
		ExecutorService load = Executors.newFixedThreadPool(4);
		java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
		try {
			for (int t = 0; t < 4; t++) {
				int thread = t;
				load.submit(() -> {
					int i = 0;
					while (running.get()) {
						// pages cached before, and new ones, which need Redis' leases and
						// pages
						String attendee = (i % 2 == 0) ? cached.get(i / 2 % cached.size()) : nextAttendee();
						i++;
						HttpResponse<String> response = replica(thread % 2).get(chats(attendee));
						if (response.statusCode() != 200) {
							failures.add(attendee + " -> " + response.statusCode() + " " + response.body());
						}
						served.incrementAndGet();
					}
				});
			}
			await().atMost(Duration.ofSeconds(30)).until(() -> served.get() >= 20);
			trouble.run();
			int after = served.get();
			await().atMost(Duration.ofSeconds(60)).until(() -> served.get() >= after + 20);
		}
		finally {
			running.set(false);
			load.shutdown();
			load.awaitTermination(30, TimeUnit.SECONDS);
		}
		assertThat(failures).isEmpty();
	}

	/**
	 * After a node was lost: both replicas share pages again, hear each other again, and
	 * an invalidation and a 429 pause still reach the whole fleet.
	 */
	void everyRuleHoldsAgain() {
		sharingResumes();
		this.replicas.forEach(Replica::awaitSubscribed);
		anInvalidationOnOneReplicaReachesTheOtherAndTheSharedCopy();
		a429PausesTheWholeFleet();
	}

	/**
	 * After trouble: both replicas share pages again, twelve new pages in a row (on a
	 * cluster, pages of every primary).
	 */
	void sharingResumes() {
		AtomicInteger streak = new AtomicInteger();
		await("sharing resumed").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
			this.replicas.forEach(Replica::resetRedisBreaker);
			String chats = chats(nextAttendee());
			int before = upstreamCalls();
			boolean shared = replica(0).get(chats).statusCode() == 200 && replica(1).get(chats)
				.headers()
				.firstValue("Cache-Status")
				.orElse("")
				.startsWith("chat-proxy; hit") && upstreamCalls() == before + 1;
			return (shared ? streak.incrementAndGet() : streak.getAndSet(0)) >= 12;
		});
	}

	Replica replica(int index) {
		return this.replicas.get(index);
	}

	static String nextAttendee() {
		return "att_topology_" + attendees.incrementAndGet();
	}

	static String chats(String attendee) {
		return "/attendees/" + attendee + "/chats";
	}

	static int upstreamCalls() {
		return postpress.countRequestsMatching(getRequestedFor(urlPathMatching(".*")).build()).getCount();
	}

}
