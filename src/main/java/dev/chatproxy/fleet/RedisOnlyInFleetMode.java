package dev.chatproxy.fleet;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.AutoConfigurationImportFilter;
import org.springframework.boot.autoconfigure.AutoConfigurationMetadata;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;

/**
 * Leaves Spring Boot's Redis auto-configuration out unless fleet mode is on
 * ({@code proxy.cache.shared=redis}), so that a replica working alone creates no Redis
 * client, client resources, connection factory or template; registered in
 * {@code META-INF/spring.factories} and applied like Boot's own conditions, before any
 * auto-configuration class is read.
 */
class RedisOnlyInFleetMode implements AutoConfigurationImportFilter, EnvironmentAware {

	private static final String REDIS_AUTO_CONFIGURATIONS = "org.springframework.boot.data.redis.autoconfigure.";

	private @Nullable Environment environment;

	@Override
	public void setEnvironment(Environment environment) {
		this.environment = environment;
	}

	@Override
	public boolean[] match(@Nullable String[] autoConfigurationClasses,
			AutoConfigurationMetadata autoConfigurationMetadata) {
		// as FleetConfiguration's @ConditionalOnProperty reads it
		String shared = Objects.requireNonNull(this.environment, "environment").getProperty("proxy.cache.shared");
		boolean fleetMode = "redis".equalsIgnoreCase(shared);
		boolean[] match = new boolean[autoConfigurationClasses.length];
		for (int i = 0; i < match.length; i++) {
			String candidate = autoConfigurationClasses[i];
			match[i] = fleetMode || candidate == null || !candidate.startsWith(REDIS_AUTO_CONFIGURATIONS);
		}
		return match;
	}

}
