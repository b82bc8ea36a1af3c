package dev.chatproxy.fleet;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The leases under which one replica of the fleet fetches a page while the others wait:
 * {@code chat-proxy:lease:<hash>} holds the holder's token and expires after
 * {@code postpress.response-timeout} unless the holder renews it, so that a replica that
 * dies mid-fetch hands over to a waiter.
 */
class Leases {

	static final String LEASE = "chat-proxy:lease:";

	/**
	 * What {@link #acquireOrWatch} answers when the page the caller waits for is stored.
	 */
	static final String FILLED = "filled";

	// one round trip, atomic: a page filled by the awaited holder or stored since the
	// caller began, else the current holder, else a new lease for the caller
	private static final RedisScript<String> ACQUIRE_OR_WATCH = RedisScript.of("""
			local page = redis.call('hmget', KEYS[2], 'filledBy', 'storedAt')
			if page[1] and ((ARGV[3] ~= '' and page[1] == ARGV[3]) or tonumber(page[2]) >= tonumber(ARGV[4])) then
			  return 'filled'
			end
			local holder = redis.call('get', KEYS[1])
			if holder then
			  return holder
			end
			redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
			return ARGV[1]
			""", String.class);

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
	 * @param hash the page's hash
	 * @param token the caller's token
	 * @param awaited the token of the holder the caller waits for, or {@code ""}
	 * @param storedSinceMillis a page stored at or after this wall-clock instant is the
	 * caller's answer: another replica fetched it meanwhile
	 * @return {@link #FILLED}, the caller's token when it now holds the lease, or the
	 * token of the current holder
	 */
	String acquireOrWatch(String hash, String token, String awaited, long storedSinceMillis) {
		@Nullable String answer = this.redis.execute(ACQUIRE_OR_WATCH, List.of(LEASE + hash, SharedPageStore.PAGE + hash), token,
				this.leaseMillis, awaited, Long.toString(storedSinceMillis));
		if (answer == null) {
			throw new IllegalStateException("Redis answered nothing to the lease script");
		}
		return answer;
	}

	void renew(String hash, String token) {
		this.redis.execute(RENEW, List.of(LEASE + hash), token, this.leaseMillis);
	}

	void release(String hash, String token) {
		this.redis.execute(RELEASE, List.of(LEASE + hash), token);
	}

}
