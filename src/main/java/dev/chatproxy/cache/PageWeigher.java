package dev.chatproxy.cache;

import com.github.benmanes.caffeine.cache.Weigher;

/**
 * Weighs a cached page by the heap it holds: its body, its key, the ids it is found by
 * for invalidation, and a fixed overhead for the entry, the entity tag and the page
 * record. Every page weighs at least {@code max-size / max-entries}, so that one byte
 * bound enforces both limits (Caffeine takes a maximum size or a maximum weight, not
 * both).
 */
class PageWeigher implements Weigher<Object, Object> {

	/**
	 * Caffeine node, future, page record, entity tag and array headers, measured ~1 KB.
	 */
	static final int ENTRY_OVERHEAD = 1024;

	/** One chat or account id of a page: the string, its bytes and its set node. */
	static final int ID_OVERHEAD = 96;

	private final int minimumWeight;

	PageWeigher(PageCacheProperties properties) {
		this.minimumWeight = (int) Math.min(Integer.MAX_VALUE,
				Math.max(1, properties.maxSizeBytes() / properties.maxEntries()));
	}

	@Override
	public int weigh(Object key, Object page) {
		CachedPage cached = (CachedPage) page;
		long ids = cached.chatIds().size() + (long) cached.accountIds().size();
		long weight = ENTRY_OVERHEAD + 2L * key.toString().length() + cached.body().length + ids * ID_OVERHEAD;
		return (int) Math.min(Integer.MAX_VALUE, Math.max(this.minimumWeight, weight));
	}

}
