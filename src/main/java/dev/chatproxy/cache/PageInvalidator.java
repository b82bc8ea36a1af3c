package dev.chatproxy.cache;

/**
 * Marks pages stale: locally by default; the fleet implementation publishes to every
 * replica.
 */
public interface PageInvalidator {

	/**
	 * Marks stale every page the invalidation touches.
	 * @param invalidation what an event or operator touches
	 * @return how many pages were marked stale (on this replica)
	 */
	int invalidate(Invalidation invalidation);

}
