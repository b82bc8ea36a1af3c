package dev.chatproxy.cache;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * How long pages stay in the cache, how many and how many bytes of them, and whether the
 * replicas share them in Redis (CONTRACT.md section 9).
 *
 * @param ttl how long a page is served without asking postpress again
 * @param staleTtl how much longer a page is kept to be served when postpress fails;
 * {@code 0} turns stale-if-error off
 * @param maxEntries the most pages kept at once
 * @param maxSize the most bytes of pages kept at once (bodies plus a per-page overhead);
 * by default a quarter of the JVM's maximum heap
 * @param staleWhileRevalidate how long after its freshness a page is still answered at
 * once while one background fetch refreshes it; {@code 0} turns stale-while-revalidate
 * off
 * @param shared {@code none} (each replica alone, the default) or {@code redis} (fleet
 * mode, with Spring Boot's {@code spring.data.redis.*} settings)
 * @param redisTimeout the most one Redis command may add to a request; past it the
 * replica answers without Redis
 */
@Validated
@ConfigurationProperties("proxy.cache")
public record PageCacheProperties(@NotNull @DefaultValue("30s") Duration ttl,
		@NotNull @DefaultValue("10m") Duration staleTtl, @Positive @DefaultValue("10000") long maxEntries,
		@Nullable DataSize maxSize, @NotNull @DefaultValue("30s") Duration staleWhileRevalidate,
		@NotNull @DefaultValue("none") Shared shared, @NotNull @DefaultValue("100ms") Duration redisTimeout) {

	public PageCacheProperties {
		if (ttl.isNegative() || ttl.isZero() || staleTtl.isNegative() || staleWhileRevalidate.isNegative()) {
			throw new IllegalArgumentException("proxy.cache.ttl must be positive, and proxy.cache.stale-ttl and "
					+ "proxy.cache.stale-while-revalidate not negative");
		}
		if (maxSize != null && maxSize.toBytes() <= 0) {
			throw new IllegalArgumentException("proxy.cache.max-size must be positive");
		}
		if (redisTimeout.isNegative() || redisTimeout.isZero()) {
			throw new IllegalArgumentException("proxy.cache.redis-timeout must be positive");
		}
	}

	/**
	 * The cache alone, with no shared tier: for tests and tools that build a cache by
	 * hand.
	 * @param ttl how long a page is fresh
	 * @param staleTtl how much longer it may be served when postpress fails
	 * @param maxEntries the most pages kept
	 * @param maxSize the most bytes kept, or {@code null} for a quarter of the heap
	 * @param staleWhileRevalidate how long past freshness a page is answered while it is
	 * refreshed
	 * @return the properties
	 */
	public static PageCacheProperties local(Duration ttl, Duration staleTtl, long maxEntries,
			@Nullable DataSize maxSize, Duration staleWhileRevalidate) {
		return new PageCacheProperties(ttl, staleTtl, maxEntries, maxSize, staleWhileRevalidate, Shared.NONE,
				Duration.ofMillis(100));
	}

	/**
	 * The byte bound in force: {@code max-size}, or a quarter of the maximum heap.
	 * @return the bound in bytes
	 */
	public long maxSizeBytes() {
		return (this.maxSize != null) ? this.maxSize.toBytes() : Runtime.getRuntime().maxMemory() / 4;
	}

	/**
	 * Where pages are shared.
	 */
	public enum Shared {

		/** Nowhere: each replica has only its in-process cache. */
		NONE,

		/** In Redis, with every replica pointed at it. */
		REDIS

	}

}
