package dev.chatproxy.cache;

import java.util.Set;
import java.util.concurrent.CompletableFuture;

import io.micrometer.observation.Observation;
import org.jspecify.annotations.Nullable;

/**
 * One fetch of a page in flight: the answer the callers waiting on it share, and the copy
 * it would replace, for stale-if-error.
 */
final class PageFlight {

	private final PageKey key;

	private final boolean refresh;

	private final boolean background;

	private final CompletableFuture<Outcome> answer = new CompletableFuture<>();

	private final CompletableFuture<Outcome> result = new CompletableFuture<>();

	private volatile @Nullable CachedPage local;

	private volatile @Nullable CachedPage previous;

	private volatile boolean invalidated;

	private final CompletableFuture<Observation> observation = new CompletableFuture<>();

	private volatile String tier = PageCacheTracing.UPSTREAM;

	PageFlight(PageKey key, boolean refresh, boolean background) {
		this.key = key;
		this.refresh = refresh;
		this.background = background;
	}

	PageKey key() {
		return this.key;
	}

	/** Whether a caller asked for a fresh copy ({@code no-cache}). */
	boolean refresh() {
		return this.refresh;
	}

	/**
	 * Whether it refreshes a page served by stale-while-revalidate, with nobody waiting.
	 */
	boolean background() {
		return this.background;
	}

	/**
	 * Completes once, with the page, the failure, or a stale copy as soon as an attempt
	 * fails.
	 */
	CompletableFuture<Outcome> answer() {
		return this.answer;
	}

	/** Completes once the fetch is over, retries included. */
	CompletableFuture<Outcome> result() {
		return this.result;
	}

	/** The page of this cache the flight started from, if any. */
	@Nullable CachedPage local() {
		return this.local;
	}

	/** The newest copy known, local or shared, to serve if postpress fails. */
	@Nullable CachedPage previous() {
		return this.previous;
	}

	void previous(@Nullable CachedPage page) {
		this.local = page;
		this.previous = page;
	}

	void previousIfNewer(@Nullable CachedPage page) {
		CachedPage current = this.previous;
		if (page != null && (current == null || page.storedAtNanos() - current.storedAtNanos() > 0)) {
			this.previous = page;
		}
	}

	boolean isInvalidated() {
		return this.invalidated;
	}

	void invalidate() {
		this.invalidated = true;
	}

	/** The fetch's observation, whose span the upstream attempts are children of. */
	Observation observation() {
		return this.observation.getNow(Observation.NOOP);
	}

	/**
	 * Completes with the fetch's observation once the leader has started it: a request
	 * that joins the flight between its publication and its start waits for it here.
	 */
	CompletableFuture<Observation> started() {
		return this.observation;
	}

	void observation(Observation observation) {
		this.observation.complete(observation);
	}

	/** Which tier the page came from (see {@link PageCacheTracing#TIER}). */
	String tier() {
		return this.tier;
	}

	void tier(String tier) {
		this.tier = tier;
	}

	/** A page with no items, to match an invalidation against this flight's key alone. */
	CachedPage emptyPage() {
		return new CachedPage(new byte[0], "", 0, 0, Set.of(), Set.of());
	}

	/**
	 * How a flight ended.
	 *
	 * @param page the page it answers
	 * @param status where the page came from
	 */
	record Outcome(CachedPage page, Status status) {
	}

	/**
	 * Where a flight's page came from, and what that means to the caller who led the
	 * flight and to those who joined it.
	 */
	enum Status {

		/** Fresh in the shared tier (or stored while the flight started). */
		SHARED_HIT,

		/** Fetched from postpress by this replica. */
		FETCHED,

		/** Fetched by another replica, which this one waited on. */
		COLLAPSED,

		/** postpress failed: the copy the flight would have replaced. */
		STALE;

		CacheStatus whenLed(boolean refresh) {
			return switch (this) {
				case SHARED_HIT -> CacheStatus.HIT;
				case FETCHED -> refresh ? CacheStatus.REFRESHED : CacheStatus.STORED;
				case COLLAPSED -> CacheStatus.COLLAPSED;
				case STALE -> CacheStatus.STALE;
			};
		}

		CacheStatus whenJoined() {
			return switch (this) {
				case SHARED_HIT -> CacheStatus.HIT;
				case FETCHED, COLLAPSED -> CacheStatus.COLLAPSED;
				case STALE -> CacheStatus.STALE;
			};
		}

	}

}
