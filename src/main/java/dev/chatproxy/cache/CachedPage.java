package dev.chatproxy.cache;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * A stored page: the bytes postpress sent, their ETag, when fetched and until when fresh.
 * <p>
 * Times are readings of this replica's cache ticker (nanoseconds); a shared tier that
 * carries pages between replicas converts them to and from durations on the way.
 *
 * @param body the page's JSON, as postpress sent it
 * @param etag a strong entity tag, a hash of the body
 * @param storedAtNanos the ticker's reading when the page was fetched
 * @param freshUntilNanos the ticker's reading when the page stops being fresh
 * @param chatIds the {@code id} of every chat the page lists, for invalidation
 * @param accountIds the {@code account_id} of every chat the page lists, for invalidation
 */
public record CachedPage(byte[] body, String etag, long storedAtNanos, long freshUntilNanos, Set<String> chatIds,
		Set<String> accountIds) {

	private static final JsonFactory JSON = new JsonFactory();

	public CachedPage {
		chatIds = Set.copyOf(chatIds);
		accountIds = Set.copyOf(accountIds);
	}

	/**
	 * A page as fetched now, with its entity tag and the ids of the chats it lists.
	 * @param body the page's JSON
	 * @param storedAtNanos the ticker's reading when it was fetched
	 * @param freshUntilNanos the ticker's reading when it stops being fresh
	 * @return the page
	 */
	public static CachedPage of(byte[] body, long storedAtNanos, long freshUntilNanos) {
		Set<String> chatIds = new HashSet<>();
		Set<String> accountIds = new HashSet<>();
		readItemIds(body, chatIds, accountIds);
		return new CachedPage(body, etag(body), storedAtNanos, freshUntilNanos, chatIds, accountIds);
	}

	/**
	 * A copy that is fresh no longer than until now, so the next request revalidates it.
	 * @param nowNanos the ticker's reading now
	 * @return the copy, or this page when it is already stale
	 */
	public CachedPage invalidated(long nowNanos) {
		if (this.freshUntilNanos <= nowNanos) {
			return this;
		}
		return new CachedPage(this.body, this.etag, this.storedAtNanos, nowNanos, this.chatIds, this.accountIds);
	}

	/**
	 * Whether the page is fresh at the given time.
	 * @param nowNanos the ticker's reading now
	 * @return whether it is fresh
	 */
	public boolean isFreshAt(long nowNanos) {
		return nowNanos - this.freshUntilNanos < 0;
	}

	/**
	 * Reads the {@code id} and {@code account_id} of each member of {@code items} with a
	 * streaming parser: no tree of the page is built, and a body that is not a list of
	 * chats yields no ids rather than an error (the decoder has validated it already).
	 */
	private static void readItemIds(byte[] body, Set<String> chatIds, Set<String> accountIds) {
		try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), body)) {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				return;
			}
			while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
				String name = parser.currentName();
				JsonToken value = parser.nextToken();
				if ("items".equals(name) && value == JsonToken.START_ARRAY) {
					readItems(parser, chatIds, accountIds);
				}
				else {
					parser.skipChildren();
				}
			}
		}
		catch (JacksonException ex) {
			// not a page of chats: nothing to index
		}
	}

	private static void readItems(JsonParser parser, Set<String> chatIds, Set<String> accountIds) {
		while (parser.nextToken() == JsonToken.START_OBJECT) {
			while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
				String name = parser.currentName();
				JsonToken value = parser.nextToken();
				if (value == JsonToken.VALUE_STRING && "id".equals(name)) {
					chatIds.add(parser.getString());
				}
				else if (value == JsonToken.VALUE_STRING && "account_id".equals(name)) {
					accountIds.add(parser.getString());
				}
				else {
					parser.skipChildren();
				}
			}
		}
	}

	private static String etag(byte[] body) {
		try {
			byte[] hash = MessageDigest.getInstance("SHA-256").digest(body);
			return "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(hash).substring(0, 27) + "\"";
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
		}
	}

}
