package dev.chatproxy.cache;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.stats.StatsCounter;
import io.micrometer.core.instrument.Counter;
import org.jspecify.annotations.Nullable;

/**
 * Pages of chats by canonical request, with one fetch per key in flight at a time.
 * <p>
 * A fresh page is answered synchronously by {@link #fresh}. Otherwise {@link #fetch}
 * either joins the fetch already in flight for the key, or puts a new one in the cache's
 * place for the key, so that concurrent identical misses share it. A failed fetch is
 * never stored: it completes the shared future with the previous page when the failure
 * allows a stale answer, and exceptionally otherwise, which removes it from the cache.
 */
public class PageCache {

	private final ConcurrentMap<Object, CompletableFuture<Object>> pages;

	private final StatsCounter stats;

	private final Ticker ticker;

	private final long ttlNanos;

	private final Predicate<Throwable> servesStaleOn;

	private final Counter collapsed;

	private final Counter staleServed;

	PageCache(ConcurrentMap<Object, CompletableFuture<Object>> pages, StatsCounter stats, Ticker ticker,
			PageCacheProperties properties, Predicate<Throwable> servesStaleOn, Counter collapsed,
			Counter staleServed) {
		this.pages = pages;
		this.stats = stats;
		this.ticker = ticker;
		this.ttlNanos = properties.ttl().toNanos();
		this.servesStaleOn = servesStaleOn;
		this.collapsed = collapsed;
		this.staleServed = staleServed;
	}

	/**
	 * Returns the page for the key if the cache holds it fresh, without waiting.
	 * @param key the canonical request
	 * @return the fresh page, or {@code null}
	 */
	public @Nullable Served fresh(String key) {
		return hit(this.pages.get(key));
	}

	/**
	 * Fetches the page for the key, or waits for the identical fetch already in flight.
	 * @param key the canonical request
	 * @param refresh whether to fetch even if a fresh page is cached
	 * @param loader starts the upstream call
	 * @return the page and how it was obtained; failures are the loader's
	 */
	public CompletableFuture<Served> fetch(String key, boolean refresh, Supplier<CompletableFuture<byte[]>> loader) {
		Fetch fetch = new Fetch();
		CompletableFuture<Object> current = this.pages.compute(key, (k, existing) -> {
			if (existing != null && !existing.isDone()) {
				return existing;
			}
			CachedPage previous = completed(existing);
			if (!refresh && previous != null && isFresh(previous)) {
				return existing;
			}
			fetch.previous = previous;
			return fetch.future;
		});
		if (current != fetch.future) {
			Served served = hit(current);
			if (served != null) {
				return CompletableFuture.completedFuture(served);
			}
			this.stats.recordMisses(1);
			this.collapsed.increment();
			return current.thenApply((page) -> served((CachedPage) page, CacheStatus.COLLAPSED));
		}
		this.stats.recordMisses(1);
		start(fetch, loader);
		CacheStatus status = refresh ? CacheStatus.REFRESHED : CacheStatus.STORED;
		return fetch.future
			.thenApply((page) -> served((CachedPage) page, (page == fetch.previous) ? CacheStatus.HIT : status));
	}

	private void start(Fetch fetch, Supplier<CompletableFuture<byte[]>> loader) {
		CompletableFuture<byte[]> call;
		try {
			call = loader.get();
		}
		catch (RuntimeException ex) {
			call = CompletableFuture.failedFuture(ex);
		}
		call.whenComplete((body, error) -> {
			if (error == null) {
				fetch.future.complete(CachedPage.of(body, this.ticker.read()));
				return;
			}
			Throwable cause = (error instanceof CompletionException && error.getCause() != null) ? error.getCause()
					: error;
			if (fetch.previous != null && this.servesStaleOn.test(cause)) {
				fetch.future.complete(fetch.previous);
			}
			else {
				fetch.future.completeExceptionally(cause);
			}
		});
	}

	/**
	 * A fresh hit on the given entry, counted as such; {@code null} when it is not one.
	 */
	private @Nullable Served hit(@Nullable CompletableFuture<Object> entry) {
		CachedPage page = completed(entry);
		if (page == null || !isFresh(page)) {
			return null;
		}
		this.stats.recordHits(1);
		return new Served(page, CacheStatus.HIT, this.ticker.read() - page.storedAtNanos(), this.ttlNanos);
	}

	private boolean isFresh(CachedPage page) {
		return this.ticker.read() - page.storedAtNanos() < this.ttlNanos;
	}

	private Served served(CachedPage page, CacheStatus status) {
		long age = this.ticker.read() - page.storedAtNanos();
		if (age >= this.ttlNanos) {
			this.staleServed.increment();
			return new Served(page, CacheStatus.STALE, age, this.ttlNanos);
		}
		return new Served(page, status, age, this.ttlNanos);
	}

	private static @Nullable CachedPage completed(@Nullable CompletableFuture<Object> future) {
		if (future != null && future.isDone() && !future.isCompletedExceptionally()) {
			return (CachedPage) future.join();
		}
		return null;
	}

	/**
	 * A fetch this caller leads: the future others will join, and the page it replaces.
	 */
	private static final class Fetch {

		final CompletableFuture<Object> future = new CompletableFuture<>();

		@Nullable CachedPage previous;

	}

}
