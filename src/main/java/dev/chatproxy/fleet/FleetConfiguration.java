package dev.chatproxy.fleet;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.chatproxy.cache.PageCacheProperties;
import dev.chatproxy.upstream.PostpressProperties;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Tracer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientConfigurationBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Fleet mode, wired only with {@code proxy.cache.shared=redis}: the cache's shared tier
 * is Redis, and every Redis command is bounded by {@code proxy.cache.redis-timeout} and
 * the one {@value RedisBreaker#NAME} circuit breaker of the {@link RedisBreaker}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "proxy.cache.shared", havingValue = "redis")
class FleetConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(FleetConfiguration.class);

	private static final long CONNECT_TIMEOUT_MILLIS = 1000;

	@Bean
	LettuceClientConfigurationBuilderCustomizer redisCommandTimeout(PageCacheProperties cache) {
		return (builder) -> builder.commandTimeout(cache.redisTimeout());
	}

	/**
	 * Fails commands at once while the connection is down (Lettuce reconnects in the
	 * background). Connecting (TCP and handshake) gets {@value #CONNECT_TIMEOUT_MILLIS}
	 * ms unless {@code spring.data.redis.connect-timeout} says otherwise: a cold JVM
	 * needs more than a command's time, and once connected, connecting is off the request
	 * path.
	 */
	@Bean
	LettuceClientOptionsBuilderCustomizer redisFailFast(PageCacheProperties cache, DataRedisProperties redis) {
		return (options) -> {
			options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
			if (redis.getConnectTimeout() == null) {
				Duration connect = Duration.ofMillis(Math.max(CONNECT_TIMEOUT_MILLIS, cache.redisTimeout().toMillis()));
				options.socketOptions(SocketOptions.builder().connectTimeout(connect).build());
			}
		};
	}

	@Bean
	RedisBreaker redisBreaker(CircuitBreakerRegistry breakers, PageCacheProperties cache, MeterRegistry meters) {
		CircuitBreaker breaker = breakers.circuitBreaker(RedisBreaker.NAME);
		breaker.getEventPublisher()
			.onStateTransition((event) -> logger.warn("Redis circuit breaker: {}{}", event.getStateTransition(),
					(event.getStateTransition().getToState() == CircuitBreaker.State.OPEN)
							? ", working alone until Redis answers" : ""));
		Counter fallbacks = Counter.builder("chatproxy.cache.shared.fallback")
			.description("Redis commands that failed, timed out or were skipped: the replica worked alone")
			.register(meters);
		return new RedisBreaker(breaker, cache.redisTimeout(), fallbacks);
	}

	@Bean(destroyMethod = "shutdownNow")
	ScheduledExecutorService fleetScheduler() {
		return Executors.newScheduledThreadPool(2, (task) -> {
			Thread thread = new Thread(task, "fleet");
			thread.setDaemon(true);
			return thread;
		});
	}

	@Bean
	SharedPageStore sharedPageStore(StringRedisTemplate redis, Ticker ticker, PageCacheProperties cache) {
		// kept as long as the in-process cache keeps it (see PageExpiry)
		Duration kept = cache.staleTtl().compareTo(cache.staleWhileRevalidate()) > 0 ? cache.staleTtl()
				: cache.staleWhileRevalidate();
		return new SharedPageStore(redis, ticker, cache.ttl().plus(kept).toMillis());
	}

	@Bean
	FleetChannels fleetChannels(StringRedisTemplate redis, JsonMapper json) {
		return new FleetChannels(redis, json, UUID.randomUUID().toString());
	}

	@Bean
	RedisSharedTier redisSharedTier(SharedPageStore store, StringRedisTemplate redis, FleetChannels channels,
			RedisBreaker breaker, ScheduledExecutorService fleetScheduler, PostpressProperties postpress,
			MeterRegistry meters, ObjectProvider<Tracer> tracer) {
		return new RedisSharedTier(store, new Leases(redis, postpress.responseTimeout()), channels, breaker,
				fleetScheduler, postpress.responseTimeout(), postpress.deadline(), meters,
				new LeaseTracing(tracer.getIfAvailable(() -> Tracer.NOOP)));
	}

	@Bean
	RedisCoalescer redisCoalescer(StringRedisTemplate redis, RedisBreaker breaker,
			ScheduledExecutorService fleetScheduler) {
		return new RedisCoalescer(redis, breaker, fleetScheduler);
	}

	@Bean
	RedisTopology redisTopology(DataRedisProperties properties, RedisConnectionFactory connections) {
		return RedisTopology.check(properties, connections);
	}

	@Bean
	FleetSubscription fleetSubscription(RedisTopology topology, FleetChannels channels, RedisSharedTier sharedTier,
			RedisUpstreamPause pause, ScheduledExecutorService fleetScheduler) {
		return new FleetSubscription(topology.connections(), new FleetMessageListener(channels, sharedTier, pause),
				fleetScheduler);
	}

	@Bean
	SharedCacheHealthIndicator sharedCacheHealthIndicator(StringRedisTemplate redis, RedisBreaker breaker,
			FleetSubscription subscription) {
		return new SharedCacheHealthIndicator(redis, breaker, subscription);
	}

}
