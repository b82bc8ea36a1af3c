package dev.chatproxy.fleet;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.chatproxy.cache.CachedPage;
import dev.chatproxy.cache.PageKey;
import dev.chatproxy.cache.SharedTier;
import dev.chatproxy.cache.SharedTier.Loaded;
import dev.chatproxy.support.FleetRedis;
import dev.chatproxy.support.RedisServer;
import dev.chatproxy.upstream.ChatList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two replicas whose wall clocks are 80 seconds apart, more than a page's whole life, on
 * one standalone Redis: every rule of section 9 holds, because every age and time left in
 * Redis is on Redis' clock and every pause crosses replicas as the time it has left.
 */
class FleetClockSkewIntegrationTests extends FleetTopologyRules {

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
		shared(0).load(key, () -> CompletableFuture.completedFuture(page("aged"))).join();

		for (int i = 0; i < 2; i++) {
			CachedPage read = shared(i).get(key).join();
			long now = Ticker.systemTicker().read();
			assertThat(read).isNotNull();
			assertThat(now - read.storedAtNanos()).isBetween(0L, Duration.ofSeconds(5).toNanos());
			assertThat(read.freshUntilNanos() - now).isBetween(Duration.ofSeconds(25).toNanos(),
					Duration.ofSeconds(30).toNanos());
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
