package dev.chatproxy.fleet;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Whether the replicas share one Redis, and how long a Redis command may take before the
 * replica works alone.
 *
 * @param shared {@code none} (each replica alone, the default) or {@code redis} (fleet
 * mode, with Spring Boot's {@code spring.data.redis.*} settings)
 * @param redisTimeout the most one Redis command may add to a request; past it the
 * replica answers without Redis
 */
@Validated
@ConfigurationProperties(prefix = "proxy.cache", ignoreUnknownFields = true)
public record FleetProperties(@NotNull @DefaultValue("none") Shared shared,
		@NotNull @DefaultValue("100ms") Duration redisTimeout) {

	public FleetProperties {
		if (redisTimeout.isNegative() || redisTimeout.isZero()) {
			throw new IllegalArgumentException("proxy.cache.redis-timeout must be positive");
		}
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
