package dev.chatproxy.fleet;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

import dev.chatproxy.system.ProblemType;
import dev.chatproxy.upstream.UpstreamPause;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * The fleet's 429 pause: recorded in Redis ({@code SET ... PX}) and published to every
 * replica, which keeps it in memory, so that asking whether calls are paused costs no
 * round trip. A replica reads the recorded pause when it starts, and again whenever its
 * subscription is re-established.
 */
final class RedisUpstreamPause implements UpstreamPause, InitializingBean, DisposableBean {

	/** The pause in force, expiring with it: {@code <until epoch ms> <type> <title>}. */
	static final String KEY = "chat-proxy:upstream:pause";

	static final String CHANNEL = "chat-proxy:upstream:pause";

	private static final Logger logger = LoggerFactory.getLogger(RedisUpstreamPause.class);

	private final ReactiveStringRedisTemplate redis;

	private final CircuitBreaker circuitBreaker;

	private final Duration timeout;

	private final Clock clock;

	private final AtomicReference<@Nullable Pause> current = new AtomicReference<>();

	private @Nullable Disposable subscription;

	RedisUpstreamPause(ReactiveStringRedisTemplate redis, CircuitBreaker circuitBreaker, Duration timeout,
			Clock clock) {
		this.redis = redis;
		this.circuitBreaker = circuitBreaker;
		this.timeout = timeout;
		this.clock = clock;
	}

	@Override
	public void afterPropertiesSet() {
		// read the recorded pause once subscribed, so that none published meanwhile is
		// missed. Deferred and off the starting thread: making the listener connects at
		// once, and a Redis that is down or slow must not stop the replica from starting
		this.subscription = Mono.defer(() -> this.redis.listenToChannelLater(CHANNEL))
			.subscribeOn(Schedulers.boundedElastic())
			.flatMapMany((messages) -> readRecorded().thenMany(messages))
			.retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1)).maxBackoff(Duration.ofSeconds(30)))
			.subscribe((message) -> hold(decode(message.getMessage())));
	}

	@Override
	public void destroy() {
		if (this.subscription != null) {
			this.subscription.dispose();
		}
	}

	@Override
	public @Nullable Pause current() {
		Pause pause = this.current.get();
		return (pause != null && pause.until().isAfter(this.clock.instant())) ? pause : null;
	}

	@Override
	public void pause(Pause pause) {
		hold(pause);
		Duration left = Duration.between(this.clock.instant(), pause.until());
		if (left.toMillis() <= 0) {
			return;
		}
		String value = encode(pause);
		this.redis.opsForValue()
			.set(KEY, value, left)
			.then(this.redis.convertAndSend(CHANNEL, value))
			.timeout(this.timeout)
			.transformDeferred(CircuitBreakerOperator.of(this.circuitBreaker))
			.subscribe(null,
					(ex) -> logger.warn("Could not share postpress' 429 pause with the fleet: {}", ex.toString()));
	}

	private Mono<Void> readRecorded() {
		return this.redis.opsForValue()
			.get(KEY)
			.timeout(this.timeout)
			.doOnNext((value) -> hold(decode(value)))
			.onErrorResume((ex) -> Mono.empty())
			.then();
	}

	private void hold(@Nullable Pause pause) {
		if (pause != null) {
			this.current.accumulateAndGet(pause, (held, next) -> next.outlasts(held) ? next : held);
		}
	}

	static String encode(Pause pause) {
		return pause.until().toEpochMilli() + " " + pause.type() + " " + pause.title();
	}

	static @Nullable Pause decode(@Nullable String value) {
		String[] parts = (value != null) ? value.split(" ", 3) : new String[0];
		if (parts.length != 3 || !parts[1].startsWith(ProblemType.PREFIX)) {
			return null;
		}
		try {
			return new Pause(Instant.ofEpochMilli(Long.parseLong(parts[0])), parts[1], parts[2]);
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

}
