package dev.chatproxy.cache;

import com.github.benmanes.caffeine.cache.Weigher;

/**
 * Weighs a cached page by the heap it holds: its body, its key and a fixed overhead for
 * the entry, the entity tag and the page record. Every page weighs at least
 * {@code max-size / max-entries}, so that one byte bound enforces both limits (Caffeine
 * takes a maximum size or a maximum weight, not both).
 */
class PageWeigher implements Weigher<Object, Object> {

	/**
	 * Caffeine node, future, page record, entity tag and array headers, measured ~1 KB.
	 */
	static final int ENTRY_OVERHEAD = 1024;

	private final int minimumWeight;

	PageWeigher(PageCacheProperties properties) {
		this.minimumWeight = (int) Math.min(Integer.MAX_VALUE,
				Math.max(1, properties.maxSizeBytes() / properties.maxEntries()));
	}

	@Override
	public int weigh(Object key, Object page) {
		long weight = ENTRY_OVERHEAD + 2L * key.toString().length() + ((CachedPage) page).body().length;
		return (int) Math.min(Integer.MAX_VALUE, Math.max(this.minimumWeight, weight));
	}

}
