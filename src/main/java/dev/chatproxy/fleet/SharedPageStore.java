package dev.chatproxy.fleet;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.chatproxy.cache.CachedPage;
import dev.chatproxy.cache.Invalidation;
import dev.chatproxy.cache.PageKey;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisClusterConnection;
import org.springframework.data.redis.connection.RedisClusterNode;
import org.springframework.data.redis.connection.RedisConnection;
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
 * A page is a hash under {@code chat-proxy:page:{<sha-256 of the canonical request>}}
 * with its body, ETag, stored-at and fresh-until, chat and account ids and the lease that
 * filled it; it expires with the last of its stale window. The braces are a Redis Cluster
 * hash tag: a page and its lease ({@link Leases}) live in one slot, so that every script
 * touches one slot. Index sets {@code chat-proxy:index:<attendee|account|chat>:<sha-256
 * of the id>} hold page ids and are each written and read by single-key commands, since
 * an index and its pages live in different slots; no id appears in a key name.
 * <p>
 * Times in Redis are on Redis' clock ({@code TIME}, in the script that writes or reads
 * them), never a replica's: a replica turns ages and time left, which Redis computes,
 * into its own cache ticker, so that replicas whose clocks disagree still agree on
 * freshness.
 */
class SharedPageStore {

	static final String PAGE = "chat-proxy:page:";

	static final String INDEX = "chat-proxy:index:";

	// Redis' clock in milliseconds, in a script allowed to write after reading it
	static final String REDIS_NOW = """
			if redis.replicate_commands then redis.replicate_commands() end
			local time = redis.call('time')
			local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
			""";

	// ARGV: lifetime left (ms), age (ms), fresh for (ms), body, etag, chats, accounts,
	// filled by
	private static final RedisScript<Long> STORE = RedisScript.of(REDIS_NOW + """
			redis.call('del', KEYS[1])
			redis.call('hset', KEYS[1], 'body', ARGV[4], 'etag', ARGV[5],
			    'storedAt', tostring(now - tonumber(ARGV[2])), 'freshUntil', tostring(now + tonumber(ARGV[3])),
			    'chats', ARGV[6], 'accounts', ARGV[7], 'filledBy', ARGV[8])
			redis.call('pexpire', KEYS[1], ARGV[1])
			return 1
			""", Long.class);

	// the page with its age and time left as Redis' clock measures them
	@SuppressWarnings("unchecked")
	private static final RedisScript<List<byte[]>> READ = (RedisScript<List<byte[]>>) (RedisScript<?>) RedisScript
		.of(REDIS_NOW + """
				local page = redis.call('hmget', KEYS[1], 'body', 'etag', 'storedAt', 'freshUntil', 'chats', 'accounts')
				if not (page[1] and page[2] and page[3] and page[4]) then
				  return {}
				end
				return {page[1], page[2], tostring(now - tonumber(page[3])), tostring(tonumber(page[4]) - now),
				    page[5] or '', page[6] or ''}
				""", List.class);

	// adds a page to an index that lives as long as its longest-lived page
	private static final String INDEX_ADD = """
			redis.call('sadd', KEYS[1], ARGV[1])
			if redis.call('pttl', KEYS[1]) < tonumber(ARGV[2]) then
			  redis.call('pexpire', KEYS[1], ARGV[2])
			end
			return 1
			""";

	// marks a fresh page stale: 1, already stale: 0, gone: -1
	private static final String MARK_STALE = REDIS_NOW + """
			local freshUntil = redis.call('hget', KEYS[1], 'freshUntil')
			if not freshUntil then
			  return -1
			end
			if tonumber(freshUntil) > now then
			  redis.call('hset', KEYS[1], 'freshUntil', tostring(now))
			  return 1
			end
			return 0
			""";

	private static final String SEPARATOR = "\n";

	private static final int BATCH = 500;

	// a script's array reply is deserialized element by element
	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static final RedisSerializer<List<byte[]>> ELEMENTS = (RedisSerializer) RedisSerializer.byteArray();

	private static final RedisSerializer<Long> LONG = new GenericToStringSerializer<>(Long.class);

	private final StringRedisTemplate redis;

	private final Ticker ticker;

	private final long lifetimeMillis;

	SharedPageStore(StringRedisTemplate redis, Ticker ticker, long lifetimeMillis) {
		this.redis = redis;
		this.ticker = ticker;
		this.lifetimeMillis = lifetimeMillis;
	}

	/**
	 * The Redis key of a page: its digest in braces, the hash tag that puts the page and
	 * its lease in one cluster slot.
	 * @param digest the {@link PageKey#digest() digest} of the page's key
	 * @return the key
	 */
	static String pageKey(String digest) {
		return PAGE + tag(digest);
	}

	static String tag(String digest) {
		return "{" + digest + "}";
	}

	/**
	 * A page's digest as it appears in its key names, from the key's text (for tests and
	 * operators looking at Redis).
	 * @param value the page key's canonical text
	 * @return the digest in braces
	 */
	static String hash(String value) {
		return tag(sha256(value));
	}

	private static String sha256(String value) {
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
		long nowNanos = this.ticker.read();
		long age = TimeUnit.NANOSECONDS.toMillis(nowNanos - page.storedAtNanos());
		long freshFor = TimeUnit.NANOSECONDS.toMillis(page.freshUntilNanos() - nowNanos);
		long expiresIn = this.lifetimeMillis - age;
		if (expiresIn <= 0) {
			return;
		}
		Set<String> accounts = new LinkedHashSet<>(key.accountIds());
		accounts.addAll(page.accountIds());
		this.redis.execute(STORE, RedisSerializer.byteArray(), LONG, List.of(pageKey(hash)), bytes(expiresIn),
				bytes(age), bytes(freshFor), page.body(), bytes(page.etag()),
				bytes(String.join(SEPARATOR, page.chatIds())), bytes(String.join(SEPARATOR, accounts)),
				bytes(filledBy));
		List<String> indexes = new ArrayList<>();
		key.attendeeIds().forEach((id) -> indexes.add(index("attendee", id)));
		accounts.forEach((id) -> indexes.add(index("account", id)));
		page.chatIds().forEach((id) -> indexes.add(index("chat", id)));
		// one slot per index: one single-key script each, pipelined
		byte[] member = bytes(hash);
		byte[] millis = bytes(expiresIn);
		pipelined((async) -> indexes.stream()
			.map((index) -> async.eval(INDEX_ADD, ScriptOutputType.INTEGER, new byte[][] { bytes(index) }, member,
					millis))
			.toList());
	}

	/**
	 * Reads a page.
	 * @param hash the {@link PageKey#digest() digest} of its key
	 * @return the page with this replica's ticker readings, or {@code null}
	 */
	@Nullable CachedPage read(String hash) {
		List<byte[]> fields = this.redis.execute(READ, RedisSerializer.byteArray(), ELEMENTS, List.of(pageKey(hash)));
		if (fields == null || fields.size() < 6) {
			// absent, or marked stale by an invalidation just as it expired
			return null;
		}
		long nowNanos = this.ticker.read();
		long age = Long.parseLong(string(fields.get(2)));
		long freshFor = Long.parseLong(string(fields.get(3)));
		return new CachedPage(fields.get(0), string(fields.get(1)), nowNanos - TimeUnit.MILLISECONDS.toNanos(age),
				nowNanos + TimeUnit.MILLISECONDS.toNanos(freshFor), ids(fields.get(4)), ids(fields.get(5)));
	}

	/**
	 * Marks stale the shared copies of the pages an invalidation names, and forgets the
	 * ids of pages long gone.
	 * @param invalidation which pages
	 * @return how many fresh shared pages it marked stale
	 */
	long invalidate(Invalidation invalidation) {
		List<String> indexes = new ArrayList<>();
		invalidation.attendeeIds().forEach((id) -> indexes.add(index("attendee", id)));
		invalidation.accountIds().forEach((id) -> indexes.add(index("account", id)));
		invalidation.chatIds().forEach((id) -> indexes.add(index("chat", id)));
		if (indexes.isEmpty()) {
			return 0;
		}
		List<Object> members = pipelined(
				(async) -> indexes.stream().map((index) -> async.smembers(bytes(index))).toList());
		Map<String, String> pageIndexes = new LinkedHashMap<>();
		List<String[]> entries = new ArrayList<>();
		for (int i = 0; i < indexes.size(); i++) {
			if (members.get(i) instanceof Set<?> hashes) {
				for (Object hash : hashes) {
					String page = string((byte[]) hash);
					entries.add(new String[] { indexes.get(i), page });
					pageIndexes.putIfAbsent(page, indexes.get(i));
				}
			}
		}
		if (entries.isEmpty()) {
			return 0;
		}
		List<String> pages = new ArrayList<>(pageIndexes.keySet());
		List<Object> marks = pipelined((async) -> pages.stream()
			.map((hash) -> async.eval(MARK_STALE, ScriptOutputType.INTEGER, new byte[][] { bytes(pageKey(hash)) }))
			.toList());
		long marked = 0;
		Set<String> gone = new LinkedHashSet<>();
		for (int i = 0; i < pages.size(); i++) {
			long mark = (marks.get(i) instanceof Long value) ? value : 0;
			if (mark > 0) {
				marked += mark;
			}
			else if (mark < 0) {
				gone.add(pages.get(i));
			}
		}
		if (!gone.isEmpty()) {
			pipelined((async) -> entries.stream()
				.filter((entry) -> gone.contains(entry[1]))
				.map((entry) -> async.srem(bytes(entry[0]), bytes(entry[1])))
				.toList());
		}
		return marked;
	}

	/**
	 * Deletes every shared page and index (not the leases of fetches in flight), on every
	 * primary of a cluster.
	 * @return how many keys were deleted
	 */
	long purge() {
		Long deleted = this.redis.execute((RedisCallback<Long>) (connection) -> {
			long total = 0;
			if (connection instanceof RedisClusterConnection cluster) {
				for (RedisClusterNode node : cluster.clusterGetNodes()) {
					if (node.isMaster() && node.isConnected()) {
						total += delete(cluster, (options) -> cluster.scan(node, options), PAGE)
								+ delete(cluster, (options) -> cluster.scan(node, options), INDEX);
					}
				}
			}
			else {
				total += delete(connection, (options) -> connection.keyCommands().scan(options), PAGE)
						+ delete(connection, (options) -> connection.keyCommands().scan(options), INDEX);
			}
			return total;
		});
		return (deleted != null) ? deleted : 0;
	}

	// commands to keys in different slots, sent without waiting for each reply (Lettuce
	// routes each to its slot's primary), then their replies in order
	private List<Object> pipelined(
			Function<RedisClusterAsyncCommands<byte[], byte[]>, List<? extends RedisFuture<?>>> commands) {
		List<Object> replies = this.redis.execute((RedisCallback<List<Object>>) (connection) -> {
			@SuppressWarnings("unchecked")
			RedisClusterAsyncCommands<byte[], byte[]> async = (RedisClusterAsyncCommands<byte[], byte[]>) connection
				.getNativeConnection();
			List<Object> results = new ArrayList<>();
			for (RedisFuture<?> reply : commands.apply(async)) {
				results.add(reply.toCompletableFuture().join());
			}
			return results;
		});
		return (replies != null) ? replies : List.of();
	}

	private static long delete(RedisConnection connection, Function<ScanOptions, Cursor<byte[]>> scan, String prefix) {
		ScanOptions options = ScanOptions.scanOptions().match(prefix + "*").count(BATCH).build();
		long deleted = 0;
		try (Cursor<byte[]> keys = scan.apply(options)) {
			List<byte[]> batch = new ArrayList<>();
			while (keys.hasNext()) {
				batch.add(keys.next());
				if (batch.size() == BATCH || !keys.hasNext()) {
					deleted += unlink(connection, batch);
					batch.clear();
				}
			}
		}
		return deleted;
	}

	// one UNLINK per slot: a cluster refuses multi-key commands across slots
	private static long unlink(RedisConnection connection, List<byte[]> keys) {
		Map<Integer, List<byte[]>> bySlot = new LinkedHashMap<>();
		keys.forEach((key) -> bySlot.computeIfAbsent(SlotHash.getSlot(key), (slot) -> new ArrayList<>()).add(key));
		long deleted = 0;
		for (List<byte[]> slot : bySlot.values()) {
			Long unlinked = connection.keyCommands().unlink(slot.toArray(byte[][]::new));
			deleted += (unlinked != null) ? unlinked : 0;
		}
		return deleted;
	}

	private static String index(String kind, String id) {
		return INDEX + kind + ":" + sha256(id);
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
