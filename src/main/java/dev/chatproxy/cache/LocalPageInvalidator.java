package dev.chatproxy.cache;

/**
 * Marks the pages of this replica's cache stale, for one replica alone.
 */
class LocalPageInvalidator implements PageInvalidator {

	private final PageCache pageCache;

	LocalPageInvalidator(PageCache pageCache) {
		this.pageCache = pageCache;
	}

	@Override
	public int invalidate(Invalidation invalidation) {
		return this.pageCache.invalidate(invalidation);
	}

}
