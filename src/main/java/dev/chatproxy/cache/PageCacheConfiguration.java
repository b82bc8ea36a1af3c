package dev.chatproxy.cache;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.stats.ConcurrentStatsCounter;
import com.github.benmanes.caffeine.cache.stats.StatsCounter;
import dev.chatproxy.upstream.UpstreamProblem;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.cache.actuate.endpoint.CachesEndpoint;
import org.springframework.cache.CacheManager;
import org.springframework.cache.caffeine.CaffeineCache;
import org.springframework.cache.caffeine.CaffeineCacheManager;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@value #CACHE} cache, registered with Spring's {@code CacheManager} so that the
 * actuator lists, clears and measures it; the shared tier behind it (none unless
 * {@code proxy.cache.shared} names one) and the one way to invalidate and purge both.
 */
@Configuration(proxyBeanMethods = false)
class PageCacheConfiguration {

	static final String CACHE = "chats";

	@Bean
	Ticker cacheTicker() {
		return Ticker.systemTicker();
	}

	@Bean
	StatsCounter pageCacheStats() {
		return new ConcurrentStatsCounter();
	}

	@Bean
	CaffeineCacheManager cacheManager(PageCacheProperties properties, Ticker ticker, StatsCounter stats) {
		CaffeineCacheManager cacheManager = new CaffeineCacheManager();
		cacheManager.setCaffeine(caffeine(properties, ticker, stats));
		cacheManager.setAsyncCacheMode(true);
		cacheManager.setAllowNullValues(false);
		cacheManager.setCacheNames(List.of(CACHE));
		return cacheManager;
	}

	/**
	 * The cache's bounds and lifetimes: at most {@code max-size} bytes and
	 * {@code max-entries} pages (see {@link PageWeigher}), each kept for ttl + stale-ttl.
	 */
	static Caffeine<Object, Object> caffeine(PageCacheProperties properties, Ticker ticker, StatsCounter stats) {
		return Caffeine.newBuilder()
			.maximumWeight(properties.maxSizeBytes())
			.weigher(new PageWeigher(properties))
			.expireAfter(new PageExpiry(properties))
			.ticker(ticker)
			.recordStats(() -> stats);
	}

	@Bean
	@ConditionalOnProperty(name = "proxy.cache.shared", havingValue = "none", matchIfMissing = true)
	NoSharedTier noSharedTier() {
		return new NoSharedTier();
	}

	@Bean
	@ConditionalOnProperty(name = "proxy.cache.shared", havingValue = "none", matchIfMissing = true)
	LocalCoalescer localCoalescer() {
		return LocalCoalescer.onItsOwnThread();
	}

	@Bean
	PageCache pageCache(CaffeineCacheManager cacheManager, SharedTier sharedTier, StatsCounter stats, Ticker ticker,
			PageCacheProperties properties, MeterRegistry meters, ObjectProvider<ObservationRegistry> observations,
			ObjectProvider<Tracer> tracer) {
		AsyncCache<Object, Object> cache = ((CaffeineCache) Objects.requireNonNull(cacheManager.getCache(CACHE)))
			.getAsyncCache();
		Gauge
			.builder("chatproxy.cache.weighed", cache,
					(pages) -> pages.synchronous().policy().eviction().orElseThrow().weightedSize().orElse(0))
			.description("Bytes of pages the cache holds, as its byte bound counts them")
			.baseUnit("bytes")
			.tag("cache", CACHE)
			.register(meters);
		Gauge.builder("chatproxy.cache.max", properties::maxSizeBytes)
			.description("The cache's byte bound, proxy.cache.max-size")
			.baseUnit("bytes")
			.tag("cache", CACHE)
			.register(meters);
		return new PageCache(cache.asMap(), sharedTier, stats, ticker, properties,
				(error) -> error instanceof UpstreamProblem upstream && upstream.isServerSide(),
				new PageCacheMetrics(meters),
				new PageCacheTracing(observations.getIfAvailable(() -> ObservationRegistry.NOOP),
						tracer.getIfAvailable(() -> Tracer.NOOP)));
	}

	@Bean
	Invalidations invalidations(PageCache pageCache, CaffeineCacheManager cacheManager, SharedTier sharedTier,
			ApplicationEventPublisher events) {
		return new Invalidations(pageCache, cacheManager, sharedTier, events);
	}

	@Bean
	InvalidationsEndpoint invalidationsEndpoint(Invalidations invalidations) {
		return new InvalidationsEndpoint(invalidations);
	}

	/**
	 * {@code DELETE /actuator/caches} purges every tier, not only this replica's cache.
	 */
	@Bean
	CachesEndpoint cachesEndpoint(Map<String, CacheManager> cacheManagers, Invalidations invalidations) {
		return new CachesEndpoint(cacheManagers.entrySet()
			.stream()
			.collect(Collectors.toMap(Map.Entry::getKey,
					(entry) -> new PurgingCacheManager(entry.getValue(), invalidations))));
	}

}
