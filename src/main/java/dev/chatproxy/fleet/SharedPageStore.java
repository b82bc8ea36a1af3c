package dev.chatproxy.fleet;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.chatproxy.cache.CachedPage;
import dev.chatproxy.cache.Invalidation;
import dev.chatproxy.cache.PageKey;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.serializer.GenericToStringSerializer;
import org.springframework.data.redis.serializer.RedisSerializer;

/**
 * The pages of the shared tier in Redis, and the indexes that find them by attendee,
 * account and chat.
 * <p>
 * A page is a hash under {@code chat-proxy:page:<sha-256 of the canonical request>} with
 * its body, ETag, wall-clock stored-at and fresh-until (epoch milliseconds), chat and
 * account ids and the lease that filled it; it expires with the last of its stale window.
 * Index sets {@code chat-proxy:index:<attendee|account|chat>:<sha-256 of the id>} hold
 * page hashes: no id appears in a key name. Times cross replicas as wall-clock instants
 * and are turned back into this replica's cache ticker on the way in.
 */
class SharedPageStore {

	static final String PAGE = "chat-proxy:page:";

	static final String INDEX = "chat-proxy:index:";

	private static final RedisScript<Long> STORE = RedisScript.of("""
			redis.call('del', KEYS[1])
			redis.call('hset', KEYS[1], 'body', ARGV[3], 'etag', ARGV[4], 'storedAt', ARGV[5],
			    'freshUntil', ARGV[6], 'chats', ARGV[7], 'accounts', ARGV[8], 'filledBy', ARGV[9])
			redis.call('pexpire', KEYS[1], ARGV[1])
			for i = 2, #KEYS do
			  redis.call('sadd', KEYS[i], ARGV[2])
			  redis.call('pexpire', KEYS[i], ARGV[1])
			end
			return 1
			""", Long.class);

	// marks fresh pages of the indexes stale, and forgets the hashes of pages long gone
	private static final RedisScript<Long> INVALIDATE = RedisScript.of("""
			local n = 0
			for i = 1, #KEYS do
			  for _, h in ipairs(redis.call('smembers', KEYS[i])) do
			    local page = ARGV[2] .. h
			    local freshUntil = redis.call('hget', page, 'freshUntil')
			    if not freshUntil then
			      redis.call('srem', KEYS[i], h)
			    elseif tonumber(freshUntil) > tonumber(ARGV[1]) then
			      redis.call('hset', page, 'freshUntil', ARGV[1])
			      n = n + 1
			    end
			  end
			end
			return n
			""", Long.class);

	private static final String SEPARATOR = "\n";

	private static final RedisSerializer<Long> LONG = new GenericToStringSerializer<>(Long.class);

	private final StringRedisTemplate redis;

	private final Ticker ticker;

	private final Clock clock;

	private final long lifetimeMillis;

	SharedPageStore(StringRedisTemplate redis, Ticker ticker, Clock clock, long lifetimeMillis) {
		this.redis = redis;
		this.ticker = ticker;
		this.clock = clock;
		this.lifetimeMillis = lifetimeMillis;
	}

	static String hash(String value) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
		}
	}

	/**
	 * Stores a page, replacing any previous copy, and indexes it.
	 * @param key the page's key
	 * @param page the page, with this replica's ticker readings
	 * @param filledBy the lease under which it was fetched
	 */
	void put(PageKey key, CachedPage page, String filledBy) {
		String hash = key.digest();
		long nowMillis = this.clock.millis();
		long nowNanos = this.ticker.read();
		long storedAt = nowMillis - TimeUnit.NANOSECONDS.toMillis(nowNanos - page.storedAtNanos());
		long freshUntil = nowMillis + TimeUnit.NANOSECONDS.toMillis(page.freshUntilNanos() - nowNanos);
		long expiresIn = storedAt + this.lifetimeMillis - nowMillis;
		if (expiresIn <= 0) {
			return;
		}
		List<String> keys = new ArrayList<>();
		keys.add(PAGE + hash);
		key.attendeeIds().forEach((id) -> keys.add(index("attendee", id)));
		Set<String> accounts = new LinkedHashSet<>(key.accountIds());
		accounts.addAll(page.accountIds());
		accounts.forEach((id) -> keys.add(index("account", id)));
		page.chatIds().forEach((id) -> keys.add(index("chat", id)));
		this.redis.execute(STORE, RedisSerializer.byteArray(), LONG, keys, bytes(expiresIn), bytes(hash), page.body(),
				bytes(page.etag()), bytes(storedAt), bytes(freshUntil), bytes(String.join(SEPARATOR, page.chatIds())),
				bytes(String.join(SEPARATOR, accounts)), bytes(filledBy));
	}

	/**
	 * Reads a page.
	 * @param hash the {@link PageKey#digest() digest} of its key
	 * @return the page with this replica's ticker readings, or {@code null}
	 */
	@Nullable CachedPage read(String hash) {
		byte[] key = bytes(PAGE + hash);
		Map<byte[], byte[]> fields = this.redis
			.execute((RedisCallback<Map<byte[], byte[]>>) (connection) -> connection.hashCommands().hGetAll(key));
		if (fields == null || fields.isEmpty()) {
			return null;
		}
		Map<String, byte[]> page = fields.entrySet()
			.stream()
			.collect(Collectors.toMap((entry) -> string(entry.getKey()), Map.Entry::getValue));
		byte[] body = page.get("body");
		byte[] etag = page.get("etag");
		byte[] storedAtField = page.get("storedAt");
		byte[] freshUntilField = page.get("freshUntil");
		if (body == null || etag == null || storedAtField == null || freshUntilField == null) {
			// a page marked stale by an invalidation just as it expired
			return null;
		}
		long nowMillis = this.clock.millis();
		long nowNanos = this.ticker.read();
		long storedAt = Long.parseLong(string(storedAtField));
		long freshUntil = Long.parseLong(string(freshUntilField));
		return new CachedPage(body, string(etag), nowNanos - TimeUnit.MILLISECONDS.toNanos(nowMillis - storedAt),
				nowNanos + TimeUnit.MILLISECONDS.toNanos(freshUntil - nowMillis), ids(page.get("chats")),
				ids(page.get("accounts")));
	}

	/**
	 * Marks stale the shared copies of the pages an invalidation names.
	 * @param invalidation which pages
	 * @return how many fresh shared pages it marked stale
	 */
	long invalidate(Invalidation invalidation) {
		List<String> keys = new ArrayList<>();
		invalidation.attendeeIds().forEach((id) -> keys.add(index("attendee", id)));
		invalidation.accountIds().forEach((id) -> keys.add(index("account", id)));
		invalidation.chatIds().forEach((id) -> keys.add(index("chat", id)));
		if (keys.isEmpty()) {
			return 0;
		}
		Long marked = this.redis.execute(INVALIDATE, keys, Long.toString(this.clock.millis()), PAGE);
		return (marked != null) ? marked : 0;
	}

	/**
	 * Deletes every shared page and index (not the leases of fetches in flight).
	 * @return how many keys were deleted
	 */
	long purge() {
		return delete(PAGE + "*") + delete(INDEX + "*");
	}

	private long delete(String pattern) {
		ScanOptions options = ScanOptions.scanOptions().match(pattern).count(500).build();
		long deleted = 0;
		try (Cursor<String> keys = this.redis.scan(options)) {
			List<String> batch = new ArrayList<>();
			while (keys.hasNext()) {
				batch.add(keys.next());
				if (batch.size() == 500 || !keys.hasNext()) {
					deleted += unlink(batch);
					batch.clear();
				}
			}
		}
		return deleted;
	}

	private long unlink(List<String> keys) {
		Long deleted = this.redis.unlink(keys);
		return (deleted != null) ? deleted : 0;
	}

	private static String index(String kind, String id) {
		return INDEX + kind + ":" + hash(id);
	}

	private static Set<String> ids(byte @Nullable [] joined) {
		if (joined == null || joined.length == 0) {
			return Set.of();
		}
		return Set.copyOf(Arrays.asList(string(joined).split(SEPARATOR)));
	}

	private static byte[] bytes(Object value) {
		return value.toString().getBytes(StandardCharsets.UTF_8);
	}

	private static String string(byte[] value) {
		return new String(value, StandardCharsets.UTF_8);
	}

}
