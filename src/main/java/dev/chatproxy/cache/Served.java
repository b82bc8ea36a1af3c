package dev.chatproxy.cache;

import java.util.concurrent.TimeUnit;

/**
 * A page on its way to a caller, with how it was obtained and how old it is.
 *
 * @param page the page
 * @param status how it was obtained
 * @param ageNanos time since the page was fetched from postpress
 * @param freshNanosLeft time until the page stops being fresh, negative once it has
 */
public record Served(CachedPage page, CacheStatus status, long ageNanos, long freshNanosLeft) {

	/**
	 * Whole seconds since the page was fetched, for the {@code Age} header.
	 * @return the age in seconds
	 */
	public long ageSeconds() {
		return TimeUnit.NANOSECONDS.toSeconds(this.ageNanos);
	}

	/**
	 * Whole seconds of freshness left, rounded down so that a stale page is always
	 * negative and a fresh one never promises more than it has.
	 * @return the seconds left
	 */
	public long ttlSeconds() {
		return Math.floorDiv(this.freshNanosLeft, TimeUnit.SECONDS.toNanos(1));
	}

}
