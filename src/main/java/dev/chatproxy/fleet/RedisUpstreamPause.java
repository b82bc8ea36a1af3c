package dev.chatproxy.fleet;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

import dev.chatproxy.system.ProblemType;
import dev.chatproxy.upstream.UpstreamPause;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * The fleet's 429 pause: recorded in Redis ({@code SET ... PX}) and published to every
 * replica, which keeps it in memory, so that asking whether calls are paused costs no
 * round trip. The fleet's one subscription delivers the published pauses; a replica reads
 * the recorded pause when it starts, and again whenever its subscription is
 * (re-)established.
 * <p>
 * A pause crosses replicas as the time it has left (and the key's {@code PTTL}), never as
 * an instant on the sender's clock, so that replicas whose clocks disagree pause alike.
 */
final class RedisUpstreamPause implements UpstreamPause, InitializingBean {

	/**
	 * The pause in force, expiring with it: {@code <ms left when set> <type> <title>}.
	 */
	static final String KEY = "chat-proxy:upstream:pause";

	static final String CHANNEL = "chat-proxy:upstream:pause";

	private static final Logger logger = LoggerFactory.getLogger(RedisUpstreamPause.class);

	private final ReactiveStringRedisTemplate redis;

	private final RedisBreaker breaker;

	private final Clock clock;

	private final AtomicReference<@Nullable Pause> current = new AtomicReference<>();

	RedisUpstreamPause(ReactiveStringRedisTemplate redis, RedisBreaker breaker, Clock clock) {
		this.redis = redis;
		this.breaker = breaker;
		this.clock = clock;
	}

	/**
	 * Holds a pause another replica published on {@value #CHANNEL}.
	 * @param message the published pause
	 */
	void heard(String message) {
		hold(decode(message, this.clock.instant()));
	}

	/**
	 * Reads the recorded pause as the replica starts, before its fleet subscription is
	 * open: the first requests must not call a postpress that paused the fleet. Off the
	 * starting thread, so that a Redis that is down or slow does not hold the start.
	 */
	@Override
	public void afterPropertiesSet() {
		subscribed();
	}

	/**
	 * Reads the recorded pause again once subscribed to {@value #CHANNEL} (and after each
	 * reconnection), so that none published meanwhile is missed. Off the calling thread:
	 * the subscription tells of itself on Redis' event loop.
	 */
	void subscribed() {
		readRecorded().subscribeOn(Schedulers.boundedElastic()).subscribe();
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
		String value = encode(pause, this.clock.instant());
		this.breaker
			.reactive(this.redis.opsForValue().set(KEY, value, left).then(this.redis.convertAndSend(CHANNEL, value)))
			.subscribe(null,
					(ex) -> logger.warn("Could not share postpress' 429 pause with the fleet: {}", ex.toString()));
	}

	private Mono<Void> readRecorded() {
		// the time left is the key's, on Redis' clock
		return this.breaker.reactive(this.redis.opsForValue().get(KEY).zipWith(this.redis.getExpire(KEY)))
			.doOnNext((recorded) -> hold(decode(recorded.getT1(), recorded.getT2(), this.clock.instant())))
			.onErrorResume((ex) -> Mono.empty())
			.then();
	}

	private void hold(@Nullable Pause pause) {
		if (pause != null) {
			this.current.accumulateAndGet(pause, (held, next) -> next.outlasts(held) ? next : held);
		}
	}

	static String encode(Pause pause, Instant now) {
		return Math.max(0, Duration.between(now, pause.until()).toMillis()) + " " + pause.type() + " " + pause.title();
	}

	static @Nullable Pause decode(@Nullable String value, Instant now) {
		String[] parts = (value != null) ? value.split(" ", 3) : new String[0];
		if (parts.length != 3 || !parts[1].startsWith(ProblemType.PREFIX)) {
			return null;
		}
		try {
			return new Pause(now.plusMillis(Long.parseLong(parts[0])), parts[1], parts[2]);
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	private static @Nullable Pause decode(String value, Duration left, Instant now) {
		Pause recorded = decode(value, now);
		return (recorded != null && !left.isNegative() && !left.isZero())
				? new Pause(now.plus(left), recorded.type(), recorded.title()) : null;
	}

}
