package dev.chatproxy.fleet;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.PrometheusScrape;
import dev.chatproxy.support.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A hung, refused or restarted Redis is never the callers' trouble: each replica works
 * alone within {@code proxy.cache.redis-timeout}, says so in its health and metrics
 * without failing readiness, and shares again once Redis answers.
 */
@TestMethodOrder(MethodOrderer.Random.class)
class FleetRedisTroubleIntegrationTests {

	/**
	 * The bound here IS the contract (a request loses no more than
	 * {@code proxy.cache.redis-timeout}, 100 ms by default, to Redis), so it is measured,
	 * with a wide margin: a request that waited for a hung Redis would wait for the 6 s
	 * deadline (Lettuce's own command timeout is 60 s), while 5 s leaves a loaded 2-core
	 * machine fifty times the timeout for the upstream call and its own scheduling.
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
			// a JVM's first upstream call is slow (classes, connection pools): not Redis'
			// doing
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
		// whatever an earlier test left: each test starts from a fleet that uses Redis
		pair.forEach(Replica::resetRedisBreaker);
	}

	@AfterEach
	void healRedis() {
		redis.thaw();
		redis.start();
	}

	@Test
	void hungRedisNeitherFailsNorSlowsRequests() {
		redis.freeze();
		for (int i = 0; i < 8; i++) {
			assertAnsweredAlone(pair.get(i % 2), newChats());
		}
		assertFallbackShown(pair.get(0));

		redis.thaw();
		assertSharingResumes();
	}

	@Test
	void refusedRedisNeitherFailsNorSlowsRequestsAndSharingResumesWhenItIsBack() {
		redis.stop();
		for (int i = 0; i < 8; i++) {
			assertAnsweredAlone(pair.get(i % 2), newChats());
		}
		assertFallbackShown(pair.get(1));

		redis.start();
		assertSharingResumes();
		// the pub/sub connection came back too: a purge on one replica reaches the other
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
