package dev.chatproxy.cache;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Set;

import dev.chatproxy.upstream.ChatList;

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

	public CachedPage {
		chatIds = Set.copyOf(chatIds);
		accountIds = Set.copyOf(accountIds);
	}

	/**
	 * A page as fetched now, with its entity tag and the ids of the chats it lists, as
	 * the client's one pass over the body read them.
	 * @param page the page postpress sent
	 * @param storedAtNanos the ticker's reading when it was fetched
	 * @param freshUntilNanos the ticker's reading when it stops being fresh
	 * @return the page
	 */
	public static CachedPage of(ChatList page, long storedAtNanos, long freshUntilNanos) {
		return new CachedPage(page.body(), etag(page.body()), storedAtNanos, freshUntilNanos, page.chatIds(),
				page.accountIds());
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
