package dev.chatproxy.fleet;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import dev.chatproxy.upstream.PostpressProperties;
import dev.chatproxy.upstream.UpstreamBudget;
import io.micrometer.core.instrument.Counter;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The fleet's budget: one token bucket in Redis, refilled on Redis' clock by a Lua script
 * (one round trip, atomic), as Spring Cloud Gateway's {@code RedisRateLimiter} does. When
 * Redis is slow, down or its circuit open, this replica spends its own in-process budget
 * instead.
 */
final class RedisUpstreamBudget implements UpstreamBudget {

	/** The bucket's key: a hash of {@code tokens} and {@code at}, in microseconds. */
	static final String KEY = "chat-proxy:upstream:budget";

	/**
	 * Takes a token if there is one; answers 0, or the microseconds until one is. Redis'
	 * own clock ({@code TIME}) keeps replicas with skewed clocks on one bucket.
	 */
	private static final RedisScript<Long> TAKE = RedisScript.of("""
			if redis.replicate_commands then redis.replicate_commands() end
			local rate = tonumber(ARGV[1]) / 1000000
			local capacity = tonumber(ARGV[2])
			local time = redis.call('TIME')
			local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
			local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
			local tokens = tonumber(state[1]) or capacity
			local at = tonumber(state[2]) or now
			tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
			local wait = 0
			if tokens >= 1 then
			  tokens = tokens - 1
			else
			  wait = math.ceil((1 - tokens) / rate)
			end
			redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
			redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate / 1000) + 1000)
			return wait
			""", Long.class);

	private final ReactiveStringRedisTemplate redis;

	private final RedisBreaker breaker;

	private final UpstreamBudget fallback;

	private final Counter fallbacks;

	private final List<String> arguments;

	RedisUpstreamBudget(ReactiveStringRedisTemplate redis, RedisBreaker breaker,
			PostpressProperties.RateLimit rateLimit, UpstreamBudget fallback, Counter fallbacks) {
		this.redis = redis;
		this.breaker = breaker;
		this.fallback = fallback;
		this.fallbacks = fallbacks;
		this.arguments = List.of(Double.toString(Objects.requireNonNull(rateLimit.requestsPerSecond())),
				Long.toString(rateLimit.capacity()));
	}

	@Override
	public Mono<Duration> tryAcquire() {
		return this.breaker.reactive(this.redis.execute(TAKE, List.of(KEY), this.arguments).next())
			.map((micros) -> Duration.ofNanos(micros * 1000))
			.onErrorResume((ex) -> {
				this.fallbacks.increment();
				return this.fallback.tryAcquire();
			});
	}

}
