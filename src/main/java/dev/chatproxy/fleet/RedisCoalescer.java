package dev.chatproxy.fleet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.chatproxy.cache.CoalescedSubject;
import dev.chatproxy.cache.Coalescer;
import dev.chatproxy.cache.Invalidation;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The fleet's {@link Coalescer}: a subject's interval is a Redis key,
 * {@code chat-proxy:coalesce:{<sha-256 of the subject>}}, set with {@code NX PX}, so that
 * one event fleet-wide goes through at once; what the other events of the interval touch
 * is folded into {@code ...:trailing} beside it (one slot), which every replica that
 * folded something flushes at the interval's end: the first to get there applies it and
 * opens the next interval, the others find it empty. Both keys expire. When Redis fails,
 * the event goes through at once, and a trailing invalidation that cannot be read is
 * applied to its subject alone, as it would be without coalescing.
 */
class RedisCoalescer implements Coalescer {

	static final String KEY = "chat-proxy:coalesce:";

	// due at once: -1; folded: the interval's time left in ms
	private static final RedisScript<Long> ADMIT = RedisScript.of("""
			if redis.call('set', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then
			  return -1
			end
			redis.call('hset', KEYS[2], 'source', ARGV[2], 'reason', ARGV[3], 'account', ARGV[4], 'at', ARGV[5])
			for i = 6, #ARGV do
			  redis.call('hset', KEYS[2], 'chat:' .. ARGV[i], '1')
			end
			local left = redis.call('pttl', KEYS[1])
			if left < 0 then left = 0 end
			redis.call('pexpire', KEYS[2], left + 2 * tonumber(ARGV[1]))
			return left
			""", Long.class);

	// {} when nothing is folded; {ms left} when the interval has not ended; else the
	// folded fields, the interval reopened
	@SuppressWarnings("unchecked")
	private static final RedisScript<List<String>> FLUSH = (RedisScript<List<String>>) (RedisScript<?>) RedisScript
		.of("""
				if redis.call('exists', KEYS[2]) == 0 then
				  return {}
				end
				local left = redis.call('pttl', KEYS[1])
				if left > tonumber(ARGV[2]) then
				  return {tostring(left)}
				end
				local folded = redis.call('hgetall', KEYS[2])
				redis.call('del', KEYS[2])
				redis.call('set', KEYS[1], '1', 'PX', ARGV[1])
				return folded
				""", List.class);

	/** A flush this early is taken for the interval's end (timers and Redis differ). */
	private static final long EARLY_MILLIS = 5;

	private final StringRedisTemplate redis;

	private final RedisBreaker breaker;

	private final ScheduledExecutorService scheduler;

	/** Subjects this replica will flush. */
	private final Set<CoalescedSubject> flushing = ConcurrentHashMap.newKeySet();

	RedisCoalescer(StringRedisTemplate redis, RedisBreaker breaker, ScheduledExecutorService scheduler) {
		this.redis = redis;
		this.breaker = breaker;
		this.scheduler = scheduler;
	}

	@Override
	public Invalidation admit(Invalidation invalidation, Duration interval, Consumer<Invalidation> trailing) {
		List<CoalescedSubject> subjects = CoalescedSubject.of(invalidation);
		List<String> args = new ArrayList<>(List.of(Long.toString(interval.toMillis()), invalidation.source(),
				(invalidation.cause() != null) ? invalidation.cause().reason() : "",
				(invalidation.cause() != null && invalidation.cause().accountId() != null)
						? invalidation.cause().accountId() : "",
				(invalidation.cause() != null) ? Long.toString(invalidation.cause().receivedAtMillis()) : ""));
		args.addAll(CoalescedSubject.riders(invalidation));
		List<CoalescedSubject> due = new ArrayList<>();
		for (CoalescedSubject subject : subjects) {
			long left;
			try {
				left = this.breaker.call(() -> admit(subject, args));
			}
			catch (SharedTierUnavailable ex) {
				left = -1;
			}
			if (left < 0) {
				due.add(subject);
			}
			else if (this.flushing.add(subject)) {
				schedule(subject, left, interval, trailing);
			}
		}
		return CoalescedSubject.now(invalidation, due, subjects.size());
	}

	private long admit(CoalescedSubject subject, List<String> args) {
		Long left = this.redis.execute(ADMIT, keys(subject), args.toArray());
		return (left != null) ? left : -1;
	}

	private void schedule(CoalescedSubject subject, long delayMillis, Duration interval,
			Consumer<Invalidation> trailing) {
		this.scheduler.schedule(() -> flush(subject, interval, trailing), delayMillis, TimeUnit.MILLISECONDS);
	}

	private void flush(CoalescedSubject subject, Duration interval, Consumer<Invalidation> trailing) {
		// forgotten first: an event folded while this flush runs schedules the next one
		this.flushing.remove(subject);
		List<String> answer;
		try {
			answer = this.breaker.call(() -> this.redis.execute(FLUSH, keys(subject),
					Long.toString(interval.toMillis()), Long.toString(EARLY_MILLIS)));
		}
		catch (SharedTierUnavailable ex) {
			// the folded chats stay in Redis until their key expires: this replica
			// marks the subject's pages stale at least, as without coalescing
			trailing.accept(subject.trailing(Set.of(), "webhook", null));
			return;
		}
		if (answer != null && answer.size() == 1) {
			// another replica flushed, and events fell in the next interval
			if (this.flushing.add(subject)) {
				schedule(subject, Long.parseLong(answer.get(0)), interval, trailing);
			}
			return;
		}
		if (answer != null && !answer.isEmpty()) {
			trailing.accept(folded(subject, answer));
		}
	}

	private static Invalidation folded(CoalescedSubject subject, List<String> fields) {
		Set<String> chatIds = new LinkedHashSet<>();
		String source = "webhook";
		String reason = null;
		String account = null;
		long at = System.currentTimeMillis();
		for (int i = 0; i + 1 < fields.size(); i += 2) {
			String name = fields.get(i);
			String value = fields.get(i + 1);
			switch (name) {
				case "source" -> source = value;
				case "reason" -> reason = value;
				case "account" -> account = value.isEmpty() ? null : value;
				case "at" -> at = value.isEmpty() ? at : Long.parseLong(value);
				default -> {
					if (name.startsWith("chat:")) {
						chatIds.add(name.substring("chat:".length()));
					}
				}
			}
		}
		Invalidation.@Nullable Cause cause = (reason != null && !reason.isEmpty())
				? new Invalidation.Cause(reason, account, at) : null;
		return subject.trailing(chatIds, source, cause);
	}

	private static List<String> keys(CoalescedSubject subject) {
		String key = KEY + SharedPageStore.hash(subject.text());
		return List.of(key, key + ":trailing");
	}

}
