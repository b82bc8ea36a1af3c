package dev.chatproxy.fleet;

import dev.chatproxy.cache.Invalidation;
import dev.chatproxy.cache.PageCache;
import dev.chatproxy.cache.PageInvalidator;

/**
 * Invalidates pages fleet-wide: in this replica's cache at once, then the shared copies,
 * then, through pub/sub, in every other replica's cache.
 */
class FleetPageInvalidator implements PageInvalidator {

	private final PageCache pageCache;

	private final SharedPageStore store;

	private final FleetChannels channels;

	private final RedisGuard guard;

	FleetPageInvalidator(PageCache pageCache, SharedPageStore store, FleetChannels channels, RedisGuard guard) {
		this.pageCache = pageCache;
		this.store = store;
		this.channels = channels;
		this.guard = guard;
	}

	@Override
	public int invalidate(Invalidation invalidation) {
		int invalidated = this.pageCache.invalidate(invalidation);
		this.guard.quietly(() -> this.store.invalidate(invalidation));
		this.guard.quietly(() -> this.channels.invalidated(invalidation));
		return invalidated;
	}

}
