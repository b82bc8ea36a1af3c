package dev.chatproxy.fleet;

import java.time.Clock;

import dev.chatproxy.upstream.PostpressProperties;
import dev.chatproxy.upstream.UpstreamBudget;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * In fleet mode, the upstream budget and the 429 pause are the fleet's, in Redis; the
 * {@code upstream} package uses them instead of its own; both call Redis through the
 * {@link RedisBreaker}, and the pause hears the fleet through its one subscription.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "proxy.cache.shared", havingValue = "redis")
class RedisUpstreamBudgetAndPauseConfiguration {

	@Bean
	@ConditionalOnProperty("postpress.rate-limit.requests-per-second")
	RedisUpstreamBudget redisUpstreamBudget(ReactiveStringRedisTemplate redis, RedisBreaker breaker,
			PostpressProperties properties, MeterRegistry meters) {
		UpstreamBudget fallback = UpstreamBudget.local(properties.rateLimit());
		Counter fallbacks = Counter.builder("chatproxy.upstream.budget.fallback")
			.description("Calls to postpress that drew on this replica's own budget because Redis did not answer")
			.register(meters);
		return new RedisUpstreamBudget(redis, breaker, properties.rateLimit(), fallback, fallbacks);
	}

	@Bean
	RedisUpstreamPause redisUpstreamPause(ReactiveStringRedisTemplate redis, RedisBreaker breaker,
			ObjectProvider<Clock> clock) {
		return new RedisUpstreamPause(redis, breaker, clock.getIfAvailable(Clock::systemUTC));
	}

}
