package dev.chatproxy.cache;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * The fleet's shared tier behind the in-process cache. Without fleet mode the local
 * implementation is wired: no shared tier, every load calls postpress.
 */
public interface SharedPages {

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
	 * A page loaded for the fleet.
	 *
	 * @param page the page
	 * @param collapsed whether this replica waited on another replica's fetch
	 */
	record Loaded(CachedPage page, boolean collapsed) {
	}

}
