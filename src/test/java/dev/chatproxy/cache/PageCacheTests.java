package dev.chatproxy.cache;

import dev.chatproxy.upstream.ChatList;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.stats.ConcurrentStatsCounter;
import dev.chatproxy.support.ManualTicker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link PageCache} on a real Caffeine cache driven by a manual clock, without
 * the application around it.
 */
class PageCacheTests {

	private static final Duration TTL = Duration.ofSeconds(30);

	private static final PageKey K = key("k");

	private final ManualTicker ticker = new ManualTicker();

	private final ConcurrentStatsCounter stats = new ConcurrentStatsCounter();

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final AtomicInteger loads = new AtomicInteger();

	private AsyncCache<Object, Object> cache;

	@Test
	void servesStaleCopyWhenTheLoaderFailsWithinTheStaleWindow() throws Exception {
		Served served = staleAnswerAfter(Duration.ofSeconds(45));
		assertThat(served.ttlSeconds()).isEqualTo(-15);
		assertThat(body(served)).isEqualTo("one");
		assertThat(this.meters.get("chatproxy.cache.stale.served").counter().count()).isEqualTo(1);
	}

	@Test
	void staleCopyJustPastItsTtlReportsANegativeTtl() throws Exception {
		Served served = staleAnswerAfter(Duration.ofMillis(30_400));
		assertThat(served.ttlSeconds()).isNegative();
	}

	@Test
	void freshHitNeverPromisesMoreFreshnessThanItHasLeft() throws Exception {
		PageCache pages = pageCacheHoldingOne();
		this.ticker.advance(Duration.ofMillis(10_500));
		Served served = pages.cached(K, this::fail);
		assertThat(served.status()).isEqualTo(CacheStatus.HIT);
		assertThat(served.ageSeconds()).isEqualTo(10);
		assertThat(served.ttlSeconds()).isEqualTo(19);
	}

	@Test
	void keepsNoStaleCopyPastTtlPlusStaleTtl() throws Exception {
		PageCache pages = pageCacheHoldingOne();
		this.ticker.advance(TTL.plus(Duration.ofMinutes(10)));
		assertThat(this.cache.asMap()).doesNotContainKey(K);
		assertThatExceptionOfType(ExecutionException.class)
			.isThrownBy(() -> pages.fetch(K, false, this::fail).get(5, TimeUnit.SECONDS))
			.withCauseInstanceOf(IllegalStateException.class);
	}

	@Test
	void zeroStaleTtlTurnsStaleIfErrorOff() throws Exception {
		PageCache pages = pageCache(Duration.ZERO, 100);
		pages.fetch(K, false, (failures) -> load("one")).get(5, TimeUnit.SECONDS);
		this.ticker.advance(TTL);
		assertThatExceptionOfType(ExecutionException.class)
			.isThrownBy(() -> pages.fetch(K, false, this::fail).get(5, TimeUnit.SECONDS))
			.withCauseInstanceOf(IllegalStateException.class);
		assertThat(this.meters.get("chatproxy.cache.stale.served").counter().count()).isZero();
	}

	@Test
	void failureThatDoesNotAllowStaleIsPassedOnDespiteAStaleCopy() throws Exception {
		PageCache pages = pageCacheHoldingOne();
		this.ticker.advance(Duration.ofSeconds(45));
		assertThatExceptionOfType(ExecutionException.class)
			.isThrownBy(() -> pages
				.fetch(K, false, (failures) -> CompletableFuture.failedFuture(new IllegalArgumentException("4xx")))
				.get(5, TimeUnit.SECONDS))
			.withCauseInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void failedFetchIsNotStored() throws Exception {
		PageCache pages = pageCache(Duration.ofMinutes(10), 100);
		assertThatExceptionOfType(ExecutionException.class)
			.isThrownBy(() -> pages.fetch(K, false, this::fail).get(5, TimeUnit.SECONDS));
		assertThat(this.cache.asMap()).doesNotContainKey(K);
		assertThat(pages.cached(K, this::fail)).isNull();
		Served served = pages.fetch(K, false, (failures) -> load("one")).get(5, TimeUnit.SECONDS);
		assertThat(served.status()).isEqualTo(CacheStatus.STORED);
	}

	@Test
	void loaderThatThrowsFailsTheFetchWithoutPoisoningTheKey() throws Exception {
		PageCache pages = pageCache(Duration.ofMinutes(10), 100);
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> pages.fetch(K, false, (failures) -> {
			throw new IllegalStateException("cannot start");
		}).get(5, TimeUnit.SECONDS)).withCauseInstanceOf(IllegalStateException.class);
		Served served = pages.fetch(K, false, (failures) -> load("one")).get(5, TimeUnit.SECONDS);
		assertThat(served.status()).isEqualTo(CacheStatus.STORED);
	}

	@Test
	void followersOfAnInFlightFetchShareItsPage() throws Exception {
		PageCache pages = pageCache(Duration.ofMinutes(10), 100);
		CompletableFuture<ChatList> upstream = new CompletableFuture<>();
		CompletableFuture<Served> leader = pages.fetch(K, false, (failures) -> {
			this.loads.incrementAndGet();
			return upstream;
		});
		CompletableFuture<Served> follower = pages.fetch(K, false, (failures) -> load("other"));
		upstream.complete(page("one"));
		assertThat(leader.get(5, TimeUnit.SECONDS).status()).isEqualTo(CacheStatus.STORED);
		assertThat(follower.get(5, TimeUnit.SECONDS).status()).isEqualTo(CacheStatus.COLLAPSED);
		assertThat(body(follower.get())).isEqualTo("one");
		assertThat(this.loads).hasValue(1);
		assertThat(this.meters.get("chatproxy.cache.collapsed").counter().count()).isEqualTo(1);
	}

	@Test
	void maxEntriesBoundsTheCache() throws Exception {
		PageCache pages = pageCache(Duration.ofMinutes(10), 3);
		for (int i = 0; i < 10; i++) {
			pages.fetch(key("k" + i), false, (failures) -> load("page")).get(5, TimeUnit.SECONDS);
		}
		this.cache.synchronous().cleanUp();
		assertThat(this.cache.synchronous().estimatedSize()).isLessThanOrEqualTo(3);
		assertThat(this.stats.snapshot().evictionCount()).isGreaterThanOrEqualTo(7);
	}

	@Test
	void maxSizeBoundsTheBytesHeldWhateverTheMixOfPageSizes() throws Exception {
		long maxSize = 256 * 1024;
		PageCache pages = pageCache(PageCacheProperties.local(TTL, Duration.ofMinutes(10), 10_000,
				DataSize.ofBytes(maxSize), Duration.ZERO));
		int[] sizes = { 100, 64 * 1024, 2_000, 150 * 1024, 10, 30 * 1024 };
		for (int i = 0; i < 60; i++) {
			String body = "x".repeat(sizes[i % sizes.length]);
			pages.fetch(key("k" + i), false, (failures) -> load(body)).get(5, TimeUnit.SECONDS);
			this.cache.synchronous().cleanUp();
			long held = this.cache.synchronous()
				.asMap()
				.values()
				.stream()
				.mapToLong((page) -> ((CachedPage) page).body().length)
				.sum();
			assertThat(held).isLessThanOrEqualTo(maxSize);
			assertThat(this.cache.synchronous().policy().eviction().orElseThrow().weightedSize().orElseThrow())
				.isLessThanOrEqualTo(maxSize);
		}
		assertThat(this.stats.snapshot().evictionCount()).isPositive();
		assertThat(this.cache.synchronous().estimatedSize()).isPositive();
	}

	@Test
	void aPageLargerThanTheWholeBoundIsServedButNotKept() throws Exception {
		PageCache pages = pageCache(
				PageCacheProperties.local(TTL, Duration.ofMinutes(10), 10_000, DataSize.ofBytes(4096), Duration.ZERO));
		Served served = pages.fetch(key("big"), false, (failures) -> load("y".repeat(10_000))).get(5, TimeUnit.SECONDS);
		assertThat(served.page().body()).hasSize(10_000);
		this.cache.synchronous().cleanUp();
		assertThat(this.cache.synchronous().asMap()).doesNotContainKey(key("big"));
	}

	@Test
	void theDefaultByteBoundIsAQuarterOfTheMaximumHeap() {
		PageCacheProperties properties = PageCacheProperties.local(TTL, Duration.ZERO, 10, null, Duration.ZERO);
		assertThat(properties.maxSizeBytes()).isEqualTo(Runtime.getRuntime().maxMemory() / 4);
	}

	/**
	 * The answer of a cache holding page "one", once the clock has moved and the loader
	 * fails: a stale copy.
	 */
	private Served staleAnswerAfter(Duration later) throws Exception {
		PageCache pages = pageCacheHoldingOne();
		this.ticker.advance(later);
		Served served = pages.fetch(K, false, this::fail).get(5, TimeUnit.SECONDS);
		assertThat(served.status()).isEqualTo(CacheStatus.STALE);
		return served;
	}

	/**
	 * A page cache with a 10-minute stale TTL that has stored page "one" under {@code K}.
	 */
	private PageCache pageCacheHoldingOne() throws Exception {
		PageCache pages = pageCache(Duration.ofMinutes(10), 100);
		pages.fetch(K, false, (failures) -> load("one")).get(5, TimeUnit.SECONDS);
		return pages;
	}

	private PageCache pageCache(Duration staleTtl, long maxEntries) {
		// stale-while-revalidate off: these tests are about stale-if-error and bounds
		return pageCache(PageCacheProperties.local(TTL, staleTtl, maxEntries, null, Duration.ZERO));
	}

	private PageCache pageCache(PageCacheProperties properties) {
		this.cache = PageCacheConfiguration.caffeine(properties, this.ticker, this.stats)
			.executor(Runnable::run)
			.buildAsync();
		ConcurrentMap<Object, CompletableFuture<Object>> map = this.cache.asMap();
		return new PageCache(map, new NoSharedTier(), this.stats, this.ticker, properties,
				IllegalStateException.class::isInstance, new PageCacheMetrics(this.meters));
	}

	private CompletableFuture<ChatList> load(String body) {
		this.loads.incrementAndGet();
		return CompletableFuture.completedFuture(page(body));
	}

	private static ChatList page(String body) {
		return new ChatList(body.getBytes(StandardCharsets.UTF_8), Set.of(), Set.of());
	}

	private CompletableFuture<ChatList> fail(Consumer<Throwable> failures) {
		this.loads.incrementAndGet();
		return CompletableFuture.failedFuture(new IllegalStateException("postpress answered 500"));
	}

	private static PageKey key(String attendeeId) {
		return new PageKey("attendee_id=" + attendeeId, List.of(attendeeId), List.of());
	}

	private static String body(Served served) {
		return new String(served.page().body(), StandardCharsets.UTF_8);
	}

}
