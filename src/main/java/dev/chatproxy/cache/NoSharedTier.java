package dev.chatproxy.cache;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * No shared tier: one replica alone, where every load calls postpress and nothing else
 * hears of invalidations and purges.
 */
class NoSharedTier implements SharedTier {

	@Override
	public CompletableFuture<@Nullable CachedPage> get(PageKey key) {
		return CompletableFuture.completedFuture(null);
	}

	@Override
	public CompletableFuture<Loaded> load(PageKey key, Supplier<CompletableFuture<CachedPage>> upstream) {
		return upstream.get().thenApply((page) -> new Loaded(page, false));
	}

	@Override
	public void invalidate(Invalidation invalidation) {
	}

	@Override
	public void purge() {
	}

	@Override
	public void listen(Changes changes) {
	}

}
