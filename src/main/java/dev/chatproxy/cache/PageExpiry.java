package dev.chatproxy.cache;

import com.github.benmanes.caffeine.cache.Expiry;

/**
 * Keeps a page until the end of its freshness plus the longer of the stale-if-error and
 * stale-while-revalidate windows, so that serving a stale copy again does not extend its
 * life and an invalidated page goes sooner.
 */
class PageExpiry implements Expiry<Object, Object> {

	private final long keepNanos;

	PageExpiry(PageCacheProperties properties) {
		this.keepNanos = Math.max(properties.staleTtl().toNanos(), properties.staleWhileRevalidate().toNanos());
	}

	@Override
	public long expireAfterCreate(Object key, Object page, long currentTime) {
		return Math.max(0, ((CachedPage) page).freshUntilNanos() + this.keepNanos - currentTime);
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
