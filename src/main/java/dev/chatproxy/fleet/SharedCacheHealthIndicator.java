package dev.chatproxy.fleet;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Whether this replica shares the fleet's Redis or works alone. A status of its own,
 * {@code FALLBACK}, rather than {@code DOWN}: a replica without Redis still serves
 * callers, so neither the overall status nor readiness may fail because of it.
 */
class SharedCacheHealthIndicator implements HealthIndicator {

	static final Status FALLBACK = new Status("FALLBACK", "Redis does not answer: this replica works alone");

	private final StringRedisTemplate redis;

	private final RedisGuard guard;

	private final FleetSubscription subscription;

	SharedCacheHealthIndicator(StringRedisTemplate redis, RedisGuard guard, FleetSubscription subscription) {
		this.redis = redis;
		this.guard = guard;
		this.subscription = subscription;
	}

	@Override
	public Health health() {
		try {
			this.guard.call(() -> this.redis.execute((RedisCallback<String>) (connection) -> connection.ping()));
			return Health.up()
				.withDetail("shared", "redis")
				.withDetail("breaker", this.guard.state())
				.withDetail("subscribed", this.subscription.isSubscribed())
				.build();
		}
		catch (SharedTierUnavailable ex) {
			return Health.status(FALLBACK)
				.withDetail("shared", "none: working alone until Redis answers")
				.withDetail("breaker", this.guard.state())
				.withDetail("subscribed", this.subscription.isSubscribed())
				.withDetail("error", String.valueOf(ex.getMessage()))
				.build();
		}
	}

}
