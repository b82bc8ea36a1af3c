package dev.chatproxy.fleet;

import java.time.Clock;

import dev.chatproxy.cache.PageCacheProperties;
import dev.chatproxy.upstream.LocalUpstreamBudget;
import dev.chatproxy.upstream.PostpressProperties;
import dev.chatproxy.upstream.UpstreamBudget;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * In fleet mode, the upstream budget and the 429 pause are the fleet's, in Redis; the
 * {@code upstream} package uses them instead of its own.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "proxy.cache.shared", havingValue = "redis")
class RedisUpstreamBudgetAndPauseConfiguration {

	/** The Resilience4j circuit breaker around every Redis call. */
	static final String REDIS = "redis";

	@Bean
	@ConditionalOnProperty("postpress.rate-limit.requests-per-second")
	RedisUpstreamBudget redisUpstreamBudget(ReactiveStringRedisTemplate redis, CircuitBreakerRegistry circuitBreakers,
			PageCacheProperties fleet, PostpressProperties properties, MeterRegistry meters) {
		UpstreamBudget fallback = LocalUpstreamBudget.of(properties.rateLimit());
		Counter fallbacks = Counter.builder("chatproxy.upstream.budget.fallback")
			.description("Calls to postpress that drew on this replica's own budget because Redis did not answer")
			.register(meters);
		return new RedisUpstreamBudget(redis, circuitBreakers.circuitBreaker(REDIS), fleet.redisTimeout(),
				properties.rateLimit(), fallback, fallbacks);
	}

	@Bean
	RedisUpstreamPause redisUpstreamPause(ReactiveStringRedisTemplate redis, CircuitBreakerRegistry circuitBreakers,
			PageCacheProperties fleet, ObjectProvider<Clock> clock) {
		return new RedisUpstreamPause(redis, circuitBreakers.circuitBreaker(REDIS), fleet.redisTimeout(),
				clock.getIfAvailable(Clock::systemUTC));
	}

}
