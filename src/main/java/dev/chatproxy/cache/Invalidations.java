package dev.chatproxy.cache;

import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;
import org.springframework.context.ApplicationEventPublisher;

/**
 * The one way pages are invalidated or purged, on every tier: this replica's cache first,
 * then the shared tier, which tells the other replicas; what they tell through the tier's
 * change feed reaches this replica's cache here too. Each invalidation applied to this
 * replica's cache is published once as {@link PagesInvalidated}, on the thread that
 * applied it (the tier's, for another replica's).
 */
public final class Invalidations {

	private final PageCache pageCache;

	private final CacheManager cacheManager;

	private final SharedTier sharedTier;

	private final ApplicationEventPublisher events;

	Invalidations(PageCache pageCache, CacheManager cacheManager, SharedTier sharedTier,
			ApplicationEventPublisher events) {
		this.pageCache = pageCache;
		this.cacheManager = cacheManager;
		this.sharedTier = sharedTier;
		this.events = events;
		sharedTier.listen(new FromOtherReplicas());
	}

	/**
	 * Marks stale every page the invalidation touches, here and on every tier.
	 * @param invalidation what an event or operator touches
	 * @return how many pages were marked stale in this replica's cache
	 */
	public int invalidate(Invalidation invalidation) {
		if (invalidation.isEmpty()) {
			return 0;
		}
		int marked = this.pageCache.invalidate(invalidation);
		this.sharedTier.invalidate(invalidation);
		this.events.publishEvent(new PagesInvalidated(invalidation, true));
		return marked;
	}

	/**
	 * Tells the other tiers that this replica's cache was emptied (by the actuator).
	 */
	void purged() {
		this.sharedTier.purge();
	}

	/**
	 * The shared tier's change feed, applied to this replica's cache only.
	 */
	private final class FromOtherReplicas implements SharedTier.Changes {

		@Override
		public void invalidated(Invalidation invalidation) {
			Invalidations.this.pageCache.invalidate(invalidation);
			Invalidations.this.events.publishEvent(new PagesInvalidated(invalidation, false));
		}

		@Override
		public void purged() {
			CacheManager caches = Invalidations.this.cacheManager;
			caches.getCacheNames().forEach((name) -> {
				Cache cache = caches.getCache(name);
				if (cache != null) {
					cache.clear();
				}
			});
		}

	}

}
