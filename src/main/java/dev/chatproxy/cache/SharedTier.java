package dev.chatproxy.cache;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * The tier behind this replica's page cache that the fleet shares, chosen by
 * {@code proxy.cache.shared}: get and load pages, invalidate and purge them for every
 * replica, and a change feed of what the other replicas invalidated and purged.
 * <p>
 * Without fleet mode the no-op tier is wired: nothing shared, every load calls postpress.
 * The cache applies every change to its own pages first and only then tells the tier.
 */
public interface SharedTier {

	/**
	 * A page another replica stored for the key.
	 * @param key the canonical request
	 * @return the page, or {@code null}; never fails (trouble with the tier is
	 * {@code null})
	 */
	CompletableFuture<@Nullable CachedPage> get(PageKey key);

	/**
	 * Runs {@code upstream} on one replica fleet-wide for this key (a lease), stores its
	 * page for the fleet, and answers the page with whether this replica waited on
	 * another's fetch.
	 * @param key the canonical request
	 * @param upstream fetches the page from postpress
	 * @return the page; upstream failures pass through
	 */
	CompletableFuture<Loaded> load(PageKey key, Supplier<CompletableFuture<CachedPage>> upstream);

	/**
	 * Marks stale the shared copies of the pages an invalidation touches, and tells the
	 * other replicas; never fails (trouble with the tier leaves the shared copies to
	 * expire).
	 * @param invalidation what an event or operator touches, applied here already
	 */
	void invalidate(Invalidation invalidation);

	/**
	 * Deletes every shared page and tells the other replicas to empty their caches; never
	 * fails.
	 */
	void purge();

	/**
	 * Subscribes the cache to the change feed: what other replicas invalidated or purged
	 * (never what this replica did itself).
	 * @param changes told of each change, on the tier's own thread
	 */
	void listen(Changes changes);

	/**
	 * A page loaded for the fleet.
	 *
	 * @param page the page
	 * @param collapsed whether this replica waited on another replica's fetch
	 */
	record Loaded(CachedPage page, boolean collapsed) {
	}

	/**
	 * The change feed: what another replica changed, to apply to this replica's cache.
	 */
	interface Changes {

		/**
		 * Another replica invalidated pages.
		 * @param invalidation what it touched
		 */
		void invalidated(Invalidation invalidation);

		/**
		 * Another replica purged the cache.
		 */
		void purged();

	}

}
