package dev.chatproxy.cache;

import java.util.Collection;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;

/**
 * The cache manager as the actuator sees it: clearing a cache ({@code DELETE
 * /actuator/caches}) empties this replica's cache first, then purges the shared tier and
 * every other replica's copy.
 */
class PurgingCacheManager implements CacheManager {

	private final CacheManager delegate;

	private final Invalidations invalidations;

	PurgingCacheManager(CacheManager delegate, Invalidations invalidations) {
		this.delegate = delegate;
		this.invalidations = invalidations;
	}

	@Override
	public @Nullable Cache getCache(String name) {
		Cache cache = this.delegate.getCache(name);
		return (cache != null) ? new PurgingCache(cache) : null;
	}

	@Override
	public Collection<String> getCacheNames() {
		return this.delegate.getCacheNames();
	}

	/**
	 * A cache whose {@code clear} reaches every tier; everything else is the delegate's.
	 */
	private final class PurgingCache implements Cache {

		private final Cache cache;

		PurgingCache(Cache cache) {
			this.cache = cache;
		}

		@Override
		public void clear() {
			this.cache.clear();
			PurgingCacheManager.this.invalidations.purged();
		}

		@Override
		public boolean invalidate() {
			boolean invalidated = this.cache.invalidate();
			PurgingCacheManager.this.invalidations.purged();
			return invalidated;
		}

		@Override
		public String getName() {
			return this.cache.getName();
		}

		@Override
		public Object getNativeCache() {
			return this.cache.getNativeCache();
		}

		@Override
		public @Nullable ValueWrapper get(Object key) {
			return this.cache.get(key);
		}

		@Override
		public <T> @Nullable T get(Object key, @Nullable Class<T> type) {
			return this.cache.get(key, type);
		}

		@Override
		public <T> @Nullable T get(Object key, Callable<T> valueLoader) {
			return this.cache.get(key, valueLoader);
		}

		@Override
		public @Nullable CompletableFuture<?> retrieve(Object key) {
			return this.cache.retrieve(key);
		}

		@Override
		public <T> CompletableFuture<T> retrieve(Object key, Supplier<CompletableFuture<T>> valueLoader) {
			return this.cache.retrieve(key, valueLoader);
		}

		@Override
		public void put(Object key, @Nullable Object value) {
			this.cache.put(key, value);
		}

		@Override
		public void evict(Object key) {
			this.cache.evict(key);
		}

	}

}
