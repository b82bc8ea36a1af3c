package dev.chatproxy.cache;

import dev.chatproxy.upstream.ChatList;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.stats.ConcurrentStatsCounter;
import dev.chatproxy.support.ManualTicker;
import dev.chatproxy.support.Postpress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PageCache#invalidate} and stale-while-revalidate on a real Caffeine
 * cache driven by a manual clock.
 */
class PageCacheInvalidationTests {

	private static final PageKey A = key("a");

	private static final PageKey B = key("b");

	private final ManualTicker ticker = new ManualTicker();

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final PageCache pages = pageCache();

	@Test
	void marksOnlyTheTouchedFreshPagesStaleAndCountsThem() throws Exception {
		store(A, Postpress.pageJson(1, null));
		store(B, Postpress.pageJson(1, null).replace("chat_0", "chat_b"));

		int marked = this.pages.invalidate(new Invalidation(Set.of(), Set.of("chat_b"), Set.of(), "webhook"));
		int again = this.pages.invalidate(new Invalidation(Set.of(), Set.of("chat_b"), Set.of(), "webhook"));

		assertThat(marked).isEqualTo(1);
		assertThat(again).as("already stale").isZero();
		assertThat(this.meters.get("chatproxy.cache.invalidated").tag("source", "webhook").counter().count())
			.isEqualTo(1);
		assertThat(this.pages.cached(A, this::neverCalled).status()).isEqualTo(CacheStatus.HIT);
		Served stale = this.pages.cached(B, (failures) -> new CompletableFuture<>());
		assertThat(stale.status()).isEqualTo(CacheStatus.REVALIDATING);
		assertThat(stale.ttlSeconds()).isEqualTo(0);
	}

	@Test
	void pageOfAFetchInFlightWhenItsKeyIsTouchedIsStoredStale() throws Exception {
		CompletableFuture<ChatList> upstream = new CompletableFuture<>();
		CompletableFuture<Served> fetch = this.pages.fetch(A, false, (failures) -> upstream);

		this.pages.invalidate(new Invalidation(Set.of("a"), Set.of(), Set.of(), "webhook"));
		upstream.complete(page(Postpress.pageJson(1, null)));

		assertThat(fetch.get(5, TimeUnit.SECONDS).status()).isEqualTo(CacheStatus.STORED);
		assertThat(this.pages.cached(A, (failures) -> new CompletableFuture<>()).status())
			.isEqualTo(CacheStatus.REVALIDATING);
	}

	@Test
	void revalidatedPageReplacesTheStaleOneOnceItsRefreshEnds() throws Exception {
		store(A, Postpress.pageJson(1, null));
		this.ticker.advance(Duration.ofSeconds(31));
		CompletableFuture<ChatList> refresh = new CompletableFuture<>();

		Served first = this.pages.cached(A, (failures) -> refresh);
		Served second = this.pages.cached(A, this::neverCalled);
		refresh.complete(page(Postpress.pageJson(2, null)));
		Served after = this.pages.cached(A, this::neverCalled);

		assertThat(first.status()).isEqualTo(CacheStatus.REVALIDATING);
		assertThat(second.status()).isEqualTo(CacheStatus.REVALIDATING);
		assertThat(after.status()).isEqualTo(CacheStatus.HIT);
		assertThat(after.page().chatIds()).containsExactlyInAnyOrder("chat_0", "chat_1");
	}

	@Test
	void firstFailedAttemptAnswersTheStaleCopyWhileTheRetriesGoOn() throws Exception {
		store(A, Postpress.pageJson(1, null));
		this.ticker.advance(Duration.ofMinutes(2));
		CompletableFuture<ChatList> retries = new CompletableFuture<>();

		CompletableFuture<Served> answer = this.pages.fetch(A, false, (failures) -> {
			failures.accept(new IllegalStateException("first attempt: 503"));
			return retries;
		});

		assertThat(answer.get(5, TimeUnit.SECONDS).status()).isEqualTo(CacheStatus.STALE);
		assertThat(this.meters.get("chatproxy.cache.fetches.in.flight").gauge().value()).isEqualTo(1);
		retries.complete(page(Postpress.pageJson(2, null)));
		assertThat(this.pages.cached(A, this::neverCalled).page().chatIds()).hasSize(2);
		assertThat(this.meters.get("chatproxy.cache.fetches.in.flight").gauge().value()).isZero();
	}

	private void store(PageKey key, String json) throws Exception {
		this.pages.fetch(key, false, (failures) -> CompletableFuture.completedFuture(page(json)))
			.get(5, TimeUnit.SECONDS);
	}

	private static ChatList page(String json) {
		ChatList page = ChatList.read(json.getBytes(StandardCharsets.UTF_8));
		assertThat(page).isNotNull();
		return page;
	}

	private CompletableFuture<ChatList> neverCalled(Consumer<Throwable> failures) {
		throw new AssertionError("no fetch expected");
	}

	private PageCache pageCache() {
		ConcurrentStatsCounter stats = new ConcurrentStatsCounter();
		PageCacheProperties properties = PageCacheProperties.local(Duration.ofSeconds(30), Duration.ofMinutes(10), 100,
				null, Duration.ofSeconds(30));
		AsyncCache<Object, Object> cache = PageCacheConfiguration.caffeine(properties, this.ticker, stats)
			.executor(Runnable::run)
			.buildAsync();
		return new PageCache(cache.asMap(), new NoSharedTier(), stats, this.ticker, properties,
				IllegalStateException.class::isInstance, new PageCacheMetrics(this.meters));
	}

	private static PageKey key(String attendeeId) {
		return new PageKey("attendee_id=" + attendeeId, List.of(attendeeId), List.of());
	}

}
