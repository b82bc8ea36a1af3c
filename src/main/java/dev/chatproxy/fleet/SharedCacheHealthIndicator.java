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

	private final RedisBreaker breaker;

	private final FleetSubscription subscription;

	SharedCacheHealthIndicator(StringRedisTemplate redis, RedisBreaker breaker, FleetSubscription subscription) {
		this.redis = redis;
		this.breaker = breaker;
		this.subscription = subscription;
	}

	@Override
	public Health health() {
		try {
			this.breaker.call(() -> this.redis.execute((RedisCallback<String>) (connection) -> connection.ping()));
			return Health.up()
				.withDetail("shared", "redis")
				.withDetail("breaker", this.breaker.state())
				.withDetail("subscribed", this.subscription.isSubscribed())
				.build();
		}
		catch (SharedTierUnavailable ex) {
			return Health.status(FALLBACK)
				.withDetail("shared", "none: working alone until Redis answers")
				.withDetail("breaker", this.breaker.state())
				.withDetail("subscribed", this.subscription.isSubscribed())
				.withDetail("error", String.valueOf(ex.getMessage()))
				.build();
		}
	}

}
