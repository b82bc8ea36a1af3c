package dev.chatproxy.cache;

/**
 * How a page was obtained, in the words of RFC 9211's {@code Cache-Status} header.
 */
public enum CacheStatus {

	/** Served from the cache while fresh. */
	HIT,

	/**
	 * Served from the cache just past its freshness, while one background fetch refreshes
	 * it (stale-while-revalidate).
	 */
	REVALIDATING,

	/** Not in the cache (or no longer fresh): fetched and stored. */
	STORED,

	/**
	 * The caller asked for a fresh copy with {@code Cache-Control: no-cache}: fetched and
	 * stored.
	 */
	REFRESHED,

	/** Waited for an identical fetch already in flight. */
	COLLAPSED,

	/** postpress failed: a copy past its freshness was served instead. */
	STALE

}
