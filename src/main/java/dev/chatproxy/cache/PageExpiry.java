package dev.chatproxy.cache;

import com.github.benmanes.caffeine.cache.Expiry;

/**
 * Keeps a page for its freshness plus the stale window, counted from when it was fetched,
 * so that serving a stale copy again does not extend its life.
 */
class PageExpiry implements Expiry<Object, Object> {

	private final long lifetimeNanos;

	PageExpiry(PageCacheProperties properties) {
		this.lifetimeNanos = properties.ttl().plus(properties.staleTtl()).toNanos();
	}

	@Override
	public long expireAfterCreate(Object key, Object page, long currentTime) {
		return Math.max(0, ((CachedPage) page).storedAtNanos() + this.lifetimeNanos - currentTime);
	}

	@Override
	public long expireAfterUpdate(Object key, Object page, long currentTime, long currentDuration) {
		return expireAfterCreate(key, page, currentTime);
	}

	@Override
	public long expireAfterRead(Object key, Object page, long currentTime, long currentDuration) {
		return currentDuration;
	}

}
