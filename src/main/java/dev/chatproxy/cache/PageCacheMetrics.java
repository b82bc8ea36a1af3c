package dev.chatproxy.cache;

import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The page cache's own counters, beside Caffeine's hits, misses and evictions; no tag
 * holds an id.
 */
class PageCacheMetrics {

	private final MeterRegistry meters;

	final Counter collapsed;

	final Counter staleServed;

	final Counter revalidateServed;

	final Counter refreshesStarted;

	final Counter refreshesSucceeded;

	final Counter refreshesFailed;

	PageCacheMetrics(MeterRegistry meters) {
		this.meters = meters;
		this.collapsed = Counter.builder("chatproxy.cache.collapsed")
			.description("Requests answered by waiting on an identical fetch already in flight")
			.tag("cache", PageCacheConfiguration.CACHE)
			.register(meters);
		this.staleServed = Counter.builder("chatproxy.cache.stale.served")
			.description("Pages served past their freshness because postpress failed")
			.tag("cache", PageCacheConfiguration.CACHE)
			.register(meters);
		this.revalidateServed = Counter.builder("chatproxy.cache.stale.revalidate.served")
			.description("Pages served past their freshness while a background fetch refreshes them")
			.tag("cache", PageCacheConfiguration.CACHE)
			.register(meters);
		this.refreshesStarted = refreshes("started");
		this.refreshesSucceeded = refreshes("succeeded");
		this.refreshesFailed = refreshes("failed");
		// present from the start, so that a dashboard's rate shows zero rather than
		// nothing
		invalidated("webhook", 0);
		invalidated("operator", 0);
	}

	/**
	 * Reports how many fetches are in flight, background refreshes and retries included.
	 * @param flights the fetches in flight, by key
	 */
	void inFlight(Map<?, ?> flights) {
		Gauge.builder("chatproxy.cache.fetches.in.flight", flights, Map::size)
			.description("Fetches from postpress in flight, background refreshes and retries included")
			.tag("cache", PageCacheConfiguration.CACHE)
			.register(this.meters);
	}

	/**
	 * Counts pages marked stale by an invalidation, by who asked for it.
	 * @param source {@code webhook} or {@code operator}
	 * @param pages how many pages were marked stale
	 */
	void invalidated(String source, int pages) {
		Counter.builder("chatproxy.cache.invalidated")
			.description("Cached pages marked stale by a webhook event or an operator")
			.tag("cache", PageCacheConfiguration.CACHE)
			.tag("source", source)
			.register(this.meters)
			.increment(pages);
	}

	private Counter refreshes(String result) {
		return Counter.builder("chatproxy.cache.refreshes")
			.description("Background refreshes of pages served by stale-while-revalidate")
			.tag("cache", PageCacheConfiguration.CACHE)
			.tag("result", result)
			.register(this.meters);
	}

}
