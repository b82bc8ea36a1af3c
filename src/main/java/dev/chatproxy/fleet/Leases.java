package dev.chatproxy.fleet;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The leases under which one replica of the fleet fetches a page while the others wait:
 * {@code chat-proxy:lease:{<page's sha-256>}}, in the page's cluster slot, holds the
 * holder's token and expires after {@code postpress.response-timeout} unless the holder
 * renews it, so that a replica that dies mid-fetch hands over to a waiter. Every age is
 * measured on Redis' clock, never a replica's.
 */
class Leases {

	static final String LEASE = "chat-proxy:lease:";

	/**
	 * The Redis key of a page's lease, in the page's slot.
	 * @param digest the page key's digest
	 * @return the key
	 */
	static String leaseKey(String digest) {
		return LEASE + SharedPageStore.tag(digest);
	}

	/**
	 * What {@link #acquireOrWatch} answers when the page the caller waits for is stored.
	 */
	static final String FILLED = "filled";

	// one round trip, atomic, one slot: a page filled by the awaited holder or stored
	// since the caller began (on Redis' clock: ARGV[4], or now less ARGV[5] on the first
	// call), else the current holder, else a new lease for the caller; and that instant
	@SuppressWarnings("unchecked")
	private static final RedisScript<List<String>> ACQUIRE_OR_WATCH = (RedisScript<List<String>>) (RedisScript<?>) RedisScript
		.of(SharedPageStore.REDIS_NOW + """
				local since = tonumber(ARGV[4]) or (now - tonumber(ARGV[5]))
				local page = redis.call('hmget', KEYS[2], 'filledBy', 'storedAt')
				if page[1] and ((ARGV[3] ~= '' and page[1] == ARGV[3]) or tonumber(page[2]) >= since) then
				  return {'filled', tostring(since)}
				end
				local holder = redis.call('get', KEYS[1])
				if holder then
				  return {holder, tostring(since)}
				end
				redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
				return {ARGV[1], tostring(since)}
				""", List.class);

	private static final RedisScript<Long> RENEW = RedisScript.of("""
			if redis.call('get', KEYS[1]) == ARGV[1] then
			  return redis.call('pexpire', KEYS[1], ARGV[2])
			end
			return 0
			""", Long.class);

	private static final RedisScript<Long> RELEASE = RedisScript.of("""
			if redis.call('get', KEYS[1]) == ARGV[1] then
			  return redis.call('del', KEYS[1])
			end
			return 0
			""", Long.class);

	private final StringRedisTemplate redis;

	private final String leaseMillis;

	Leases(StringRedisTemplate redis, Duration lease) {
		this.redis = redis;
		this.leaseMillis = Long.toString(lease.toMillis());
	}

	/**
	 * Takes the lease of a page unless someone holds it, or tells whether the awaited
	 * holder has filled the page.
	 * @param hash the page key's digest
	 * @param token the caller's token
	 * @param awaited the token of the holder the caller waits for, or {@code ""}
	 * @param storedSince a page stored at or after this instant on Redis' clock is the
	 * caller's answer (another replica fetched it meanwhile); {@code null} on the first
	 * call: Redis' now less {@code recent}
	 * @param recent how long before the first call a page counts as stored meanwhile
	 * @return {@link #FILLED}, the caller's token when it now holds the lease, or the
	 * token of the current holder; and the instant to pass as {@code storedSince} next
	 * time
	 */
	Answer acquireOrWatch(String hash, String token, String awaited, @Nullable Long storedSince, Duration recent) {
		List<String> answer = this.redis.execute(ACQUIRE_OR_WATCH,
				List.of(leaseKey(hash), SharedPageStore.pageKey(hash)), token, this.leaseMillis, awaited,
				(storedSince != null) ? storedSince.toString() : "", Long.toString(recent.toMillis()));
		if (answer == null || answer.size() != 2) {
			throw new IllegalStateException("Redis answered nothing to the lease script");
		}
		return new Answer(answer.get(0), Long.parseLong(answer.get(1)));
	}

	void renew(String hash, String token) {
		this.redis.execute(RENEW, List.of(leaseKey(hash)), token, this.leaseMillis);
	}

	void release(String hash, String token) {
		this.redis.execute(RELEASE, List.of(leaseKey(hash)), token);
	}

	/**
	 * What the lease script answered.
	 *
	 * @param holder {@link #FILLED}, the caller's token or the current holder's
	 * @param storedSince the instant, on Redis' clock, from which a stored page answers
	 * the caller
	 */
	record Answer(String holder, long storedSince) {
	}

}
