package dev.chatproxy.cache;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How long pages stay in the cache, and how many.
 *
 * @param ttl how long a page is served without asking postpress again
 * @param staleTtl how much longer a page is kept to be served when postpress fails;
 * {@code 0} turns stale-if-error off
 * @param maxEntries the most pages kept at once
 */
@Validated
@ConfigurationProperties("proxy.cache")
public record PageCacheProperties(@NotNull @DefaultValue("30s") Duration ttl,
		@NotNull @DefaultValue("10m") Duration staleTtl, @Positive @DefaultValue("10000") long maxEntries) {

	public PageCacheProperties {
		if (ttl.isNegative() || ttl.isZero() || staleTtl.isNegative()) {
			throw new IllegalArgumentException(
					"proxy.cache.ttl must be positive and proxy.cache.stale-ttl not negative");
		}
	}

}
