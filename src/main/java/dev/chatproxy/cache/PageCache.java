package dev.chatproxy.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.stats.StatsCounter;
import dev.chatproxy.upstream.ChatList;
import io.micrometer.observation.Observation;
import io.micrometer.tracing.Span;
import org.jspecify.annotations.Nullable;

/**
 * Pages of chats by canonical request, with one fetch per key in flight at a time.
 * <p>
 * The Caffeine map holds stored pages only, each as a completed future; fetches in flight
 * are {@link PageFlight}s in a map of their own, so that a page being refreshed can still
 * be answered. A fresh page, or one within the stale-while-revalidate window (which
 * starts the single background refresh), is answered at once by {@link #cached};
 * otherwise {@link #fetchMissed} joins or leads the key's flight. A flight asks the
 * shared tier first, then loads through it; a failed one never replaces a page: it
 * answers the stale copy when the failure allows one, and drops the page when postpress
 * refused the request.
 */
public class PageCache {

	private final ConcurrentMap<Object, CompletableFuture<Object>> pages;

	private final ConcurrentMap<PageKey, PageFlight> flights = new ConcurrentHashMap<>();

	private final SharedTier shared;

	private final StatsCounter stats;

	private final Ticker ticker;

	private final long ttlNanos;

	private final long staleTtlNanos;

	private final long revalidateNanos;

	private final Predicate<Throwable> servesStaleOn;

	private final PageCacheMetrics metrics;

	private final PageCacheTracing tracing;

	PageCache(ConcurrentMap<Object, CompletableFuture<Object>> pages, SharedTier shared, StatsCounter stats,
			Ticker ticker, PageCacheProperties properties, Predicate<Throwable> servesStaleOn,
			PageCacheMetrics metrics) {
		this(pages, shared, stats, ticker, properties, servesStaleOn, metrics, PageCacheTracing.NOOP);
	}

	PageCache(ConcurrentMap<Object, CompletableFuture<Object>> pages, SharedTier shared, StatsCounter stats,
			Ticker ticker, PageCacheProperties properties, Predicate<Throwable> servesStaleOn, PageCacheMetrics metrics,
			PageCacheTracing tracing) {
		this.tracing = tracing;
		this.pages = pages;
		this.shared = shared;
		this.stats = stats;
		this.ticker = ticker;
		this.ttlNanos = properties.ttl().toNanos();
		this.staleTtlNanos = properties.staleTtl().toNanos();
		this.revalidateNanos = properties.staleWhileRevalidate().toNanos();
		this.servesStaleOn = servesStaleOn;
		this.metrics = metrics;
		metrics.inFlight(this.flights);
	}

	/**
	 * Answers the page for the key without waiting: fresh, or expired within the
	 * stale-while-revalidate window, in which case one background fetch refreshes it.
	 * @param key the canonical request
	 * @param loader starts the upstream call, should a refresh be needed
	 * @return the page, or {@code null} when the caller must {@link #fetch} it
	 */
	public @Nullable Served cached(PageKey key, PageLoader loader) {
		CachedPage page = completed(this.pages.get(key));
		long now = this.ticker.read();
		if (page != null && page.isFreshAt(now)) {
			// the hot path: no observation, and a span only in a trace that records
			this.stats.recordHits(1);
			this.tracing.localHit();
			return served(page, CacheStatus.HIT, now);
		}
		Observation lookup = this.tracing.lookup();
		Served served;
		try {
			served = unlessFresh(page, now, key, loader, lookup);
		}
		catch (RuntimeException ex) {
			this.tracing.failed(lookup, ex);
			throw ex;
		}
		if (served != null) {
			this.tracing.answered(lookup, served, PageCacheTracing.LOCAL);
		}
		else {
			this.tracing.missed(lookup);
		}
		return served;
	}

	private @Nullable Served cached(PageKey key, PageLoader loader, Observation lookup) {
		CachedPage page = completed(this.pages.get(key));
		long now = this.ticker.read();
		if (page != null && page.isFreshAt(now)) {
			this.stats.recordHits(1);
			return served(page, CacheStatus.HIT, now);
		}
		return unlessFresh(page, now, key, loader, lookup);
	}

	/**
	 * Answers a page that is not fresh: within the stale-while-revalidate window it is
	 * served while one background fetch refreshes it, otherwise the caller must fetch.
	 */
	private @Nullable Served unlessFresh(@Nullable CachedPage page, long now, PageKey key, PageLoader loader,
			Observation lookup) {
		if (page == null || now - page.freshUntilNanos() >= this.revalidateNanos) {
			return null;
		}
		this.stats.recordHits(1);
		this.metrics.revalidateServed.increment();
		PageFlight flight = new PageFlight(key, false, true);
		if (this.flights.putIfAbsent(key, flight) == null) {
			this.metrics.refreshesStarted.increment();
			start(flight, loader, this.tracing.fetch(lookup, flight.background()));
		}
		return served(page, CacheStatus.REVALIDATING, now);
	}

	/**
	 * Answers the page for the key from the cache when {@link #cached} can, else
	 * {@link #fetchMissed fetches} it.
	 * @param key the canonical request
	 * @param refresh whether to fetch even if a fresh page is cached
	 * @param loader starts the upstream call
	 * @return the page and how it was obtained; failures are the loader's
	 */
	public CompletableFuture<Served> fetch(PageKey key, boolean refresh, PageLoader loader) {
		return observed((lookup, tier) -> {
			if (!refresh) {
				Served cached = cached(key, loader, lookup);
				if (cached != null) {
					return CompletableFuture.completedFuture(cached);
				}
			}
			return fetchMissed(key, refresh, loader, lookup, tier);
		});
	}

	/**
	 * Fetches the page for a key that {@link #cached} has just answered {@code null} for
	 * (or that a refresh skips the cache for), without reading the cache again: it joins
	 * the identical fetch already in flight, or leads one. A page stored in between by a
	 * flight that ended is still found when the new flight starts.
	 * @param key the canonical request
	 * @param refresh whether to fetch even if a fresh page is cached
	 * @param loader starts the upstream call
	 * @return the page and how it was obtained; failures are the loader's
	 */
	public CompletableFuture<Served> fetchMissed(PageKey key, boolean refresh, PageLoader loader) {
		return observed((lookup, tier) -> fetchMissed(key, refresh, loader, lookup, tier));
	}

	/** Runs a look-up under its observation, which ends with the answer. */
	private CompletableFuture<Served> observed(ObservedLookup lookups) {
		Observation lookup = this.tracing.lookup();
		String[] tier = { PageCacheTracing.LOCAL };
		CompletableFuture<Served> served;
		try {
			served = lookups.run(lookup, tier);
		}
		catch (RuntimeException ex) {
			this.tracing.failed(lookup, ex);
			throw ex;
		}
		return served.whenComplete((answer, error) -> {
			if (answer != null) {
				this.tracing.answered(lookup, answer, tier[0]);
			}
			else {
				this.tracing.failed(lookup, unwrap(error));
			}
		});
	}

	private CompletableFuture<Served> fetchMissed(PageKey key, boolean refresh, PageLoader loader, Observation lookup,
			String[] tier) {
		this.stats.recordMisses(1);
		PageFlight flight = new PageFlight(key, refresh, false);
		PageFlight current = this.flights.putIfAbsent(key, flight);
		if (current != null) {
			this.metrics.collapsed.increment();
			PageFlight.Outcome early = current.answer().getNow(null);
			// a stale copy answered early may have aged past stale-if-error since
			boolean tooOld = early != null && early.status() == PageFlight.Status.STALE
					&& !withinStaleTtl(early.page());
			// the leader publishes its flight before it starts the fetch's observation:
			// the span that links to it waits for that start (nanoseconds, same thread)
			return current.started().thenCompose((fetch) -> {
				Span waiting = this.tracing.collapsed(lookup, fetch);
				return (tooOld ? current.result() : current.answer()).thenApply((outcome) -> {
					waiting.end();
					tier[0] = (outcome.status() == PageFlight.Status.STALE) ? PageCacheTracing.LOCAL : current.tier();
					return served(outcome.page(), outcome.status().whenJoined(), this.ticker.read());
				}).whenComplete((answer, error) -> {
					if (error != null) {
						waiting.error(unwrap(error));
						waiting.end();
					}
				});
			});
		}
		start(flight, loader, this.tracing.fetch(lookup, flight.background()));
		return flight.answer().thenApply((outcome) -> {
			tier[0] = (outcome.status() == PageFlight.Status.STALE) ? PageCacheTracing.LOCAL : flight.tier();
			return served(outcome.page(), outcome.status().whenLed(refresh), this.ticker.read());
		});
	}

	/**
	 * Marks stale every page of this cache that the invalidation touches, and the pages
	 * of the fetches in flight for keys it touches, so that the next request revalidates
	 * them; stale copies stay for stale-if-error.
	 * @param invalidation what an event or operator touches
	 * @return how many fresh pages were marked stale
	 */
	int invalidate(Invalidation invalidation) {
		if (invalidation.isEmpty()) {
			return 0;
		}
		// a fetch that started before the event may carry the page as it was before it;
		// flights first, so that a refresh which a read starts once the page below is
		// marked (it began after the event) is not taken for one of those
		this.flights.forEach((key, flight) -> {
			if (invalidation.touches(key, flight.emptyPage())) {
				flight.invalidate();
			}
		});
		long now = this.ticker.read();
		AtomicInteger marked = new AtomicInteger();
		for (Object key : this.pages.keySet()) {
			this.pages.computeIfPresent(key, (k, entry) -> {
				CachedPage page = completed(entry);
				if (page == null || !page.isFreshAt(now) || !invalidation.touches((PageKey) k, page)) {
					return entry;
				}
				marked.incrementAndGet();
				return CompletableFuture.completedFuture(page.invalidated(now));
			});
		}
		this.metrics.invalidated(invalidation.source(), marked.get());
		return marked.get();
	}

	/**
	 * The keys of the pages this cache holds that the invalidation touches, fresh or not.
	 * @param invalidation what an event or operator touches
	 * @return their keys
	 */
	public List<PageKey> touched(Invalidation invalidation) {
		List<PageKey> keys = new ArrayList<>();
		this.pages.forEach((key, entry) -> {
			CachedPage page = completed(entry);
			if (page != null && invalidation.touches((PageKey) key, page)) {
				keys.add((PageKey) key);
			}
		});
		return keys;
	}

	/**
	 * Brings a stored page up to date in the background, for nobody waiting: nothing when
	 * it is fresh, else the key's flight (joined when one is in flight), which asks the
	 * shared tier first, so that the fleet makes one upstream call for it.
	 * @param key the canonical request
	 * @param loader starts the upstream call
	 * @return completes once the page is fresh again, or the refresh failed
	 */
	public CompletableFuture<?> revalidate(PageKey key, PageLoader loader) {
		CachedPage page = completed(this.pages.get(key));
		if (page != null && page.isFreshAt(this.ticker.read())) {
			return CompletableFuture.completedFuture(page);
		}
		PageFlight flight = new PageFlight(key, false, true);
		PageFlight current = this.flights.putIfAbsent(key, flight);
		if (current != null) {
			return current.result();
		}
		this.metrics.refreshesStarted.increment();
		start(flight, loader, this.tracing.fetch(flight.background()));
		return flight.result();
	}

	private void start(PageFlight flight, PageLoader loader, Observation fetch) {
		flight.observation(fetch);
		long now = this.ticker.read();
		CachedPage local = completed(this.pages.get(flight.key()));
		if (!flight.refresh() && local != null && local.isFreshAt(now)) {
			// stored by a flight that ended between the caller's look-up and this one's
			// start
			flight.tier(PageCacheTracing.LOCAL);
			finish(flight, new PageFlight.Outcome(local, PageFlight.Status.SHARED_HIT), null);
			return;
		}
		flight.previous(local);
		CompletableFuture<PageFlight.Outcome> outcome;
		// the shared tier's commands and the upstream attempts are children of the fetch
		try (Observation.Scope scope = flight.observation().openScope()) {
			outcome = fromSharedOrUpstream(flight, loader);
		}
		catch (RuntimeException ex) {
			outcome = CompletableFuture.failedFuture(ex);
		}
		outcome.whenComplete((result, error) -> finish(flight, result, error));
	}

	private CompletableFuture<PageFlight.Outcome> fromSharedOrUpstream(PageFlight flight, PageLoader loader) {
		CompletableFuture<@Nullable CachedPage> sharedPage = flight.refresh() ? CompletableFuture.completedFuture(null)
				: this.shared.get(flight.key());
		return sharedPage.thenCompose((page) -> {
			if (page != null && page.isFreshAt(this.ticker.read())) {
				flight.tier(PageCacheTracing.REDIS);
				return CompletableFuture.completedFuture(new PageFlight.Outcome(page, PageFlight.Status.SHARED_HIT));
			}
			flight.previousIfNewer(page);
			return this.shared.load(flight.key(), () -> upstream(flight, loader)).thenApply((loaded) -> {
				if (loaded.collapsed()) {
					flight.tier(PageCacheTracing.REDIS);
				}
				return new PageFlight.Outcome(loaded.page(),
						loaded.collapsed() ? PageFlight.Status.COLLAPSED : PageFlight.Status.FETCHED);
			});
		});
	}

	private CompletableFuture<CachedPage> upstream(PageFlight flight, PageLoader loader) {
		CompletableFuture<ChatList> call;
		// the loader may run on another thread (after a fleet lease): its attempts are
		// still the fetch's children
		try (Observation.Scope scope = flight.observation().openScope()) {
			call = loader.load((failure) -> {
				CachedPage previous = flight.previous();
				if (previous != null && servesStale(previous, failure)) {
					flight.answer().complete(new PageFlight.Outcome(previous, PageFlight.Status.STALE));
				}
			});
		}
		catch (RuntimeException ex) {
			call = CompletableFuture.failedFuture(ex);
		}
		return call.thenApply((page) -> {
			long now = this.ticker.read();
			return CachedPage.of(page, now, now + this.ttlNanos);
		});
	}

	private void finish(PageFlight flight, PageFlight.@Nullable Outcome outcome, @Nullable Throwable error) {
		PageKey key = flight.key();
		if (error == null && outcome != null) {
			CachedPage page = flight.isInvalidated() ? outcome.page().invalidated(outcome.page().storedAtNanos())
					: outcome.page();
			this.pages.put(key, CompletableFuture.completedFuture(page));
			this.flights.remove(key, flight);
			if (flight.background()) {
				this.metrics.refreshesSucceeded.increment();
			}
			this.tracing.fetched(flight.observation(), flight.tier(), null);
			complete(flight, new PageFlight.Outcome(page, outcome.status()));
			return;
		}
		this.flights.remove(key, flight);
		if (flight.background()) {
			this.metrics.refreshesFailed.increment();
		}
		Throwable cause = unwrap(error);
		this.tracing.fetched(flight.observation(), null, cause);
		CachedPage previous = flight.previous();
		if (previous != null && servesStale(previous, cause)) {
			complete(flight, new PageFlight.Outcome(previous, PageFlight.Status.STALE));
			return;
		}
		if (!this.servesStaleOn.test(cause)) {
			// postpress refused the request: the page it answered before is no longer one
			this.pages.computeIfPresent(key, (k, entry) -> (completed(entry) == flight.local()) ? null : entry);
		}
		flight.answer().completeExceptionally(cause);
		flight.result().completeExceptionally(cause);
	}

	private static void complete(PageFlight flight, PageFlight.Outcome outcome) {
		flight.answer().complete(outcome);
		flight.result().complete(outcome);
	}

	private boolean servesStale(CachedPage previous, @Nullable Throwable failure) {
		return this.servesStaleOn.test(failure) && withinStaleTtl(previous);
	}

	private boolean withinStaleTtl(CachedPage page) {
		return this.ticker.read() - page.freshUntilNanos() < this.staleTtlNanos;
	}

	private Served served(CachedPage page, CacheStatus status, long now) {
		if (status == CacheStatus.STALE && page.isFreshAt(now)) {
			// a no-cache request whose fetch failed: the copy it replaces is still fresh
			status = CacheStatus.HIT;
		}
		if (status == CacheStatus.STALE) {
			this.metrics.staleServed.increment();
		}
		return new Served(page, status, now - page.storedAtNanos(), page.freshUntilNanos() - now);
	}

	/** A look-up given its observation and where to say which tier answered. */
	@FunctionalInterface
	private interface ObservedLookup {

		CompletableFuture<Served> run(Observation lookup, String[] tier);

	}

	private static Throwable unwrap(@Nullable Throwable error) {
		if (error instanceof CompletionException && error.getCause() != null) {
			return error.getCause();
		}
		return (error != null) ? error : new IllegalStateException("no page and no failure");
	}

	private static @Nullable CachedPage completed(@Nullable CompletableFuture<Object> future) {
		if (future != null && future.isDone() && !future.isCompletedExceptionally()) {
			return (CachedPage) future.join();
		}
		return null;
	}

}
