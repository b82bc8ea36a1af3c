package dev.chatproxy.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import dev.chatproxy.upstream.ChatsQuery;
import org.jspecify.annotations.Nullable;

/**
 * The canonical request a page answers; equal for requests that mean the same thing.
 * <p>
 * Its {@link #value() text} is the query's {@link ChatsQuery#parameters() parameters},
 * the one serialisation postpress' URI is also made of, written {@code name=value} and
 * joined by {@code &}, with {@code %} and {@code &} in each value percent-encoded
 * ({@code %25}, {@code %26}). The names are fixed and hold neither {@code &} nor
 * {@code =}, so splitting the text at each {@code &}, then each pair at its first
 * {@code =}, and decoding the values gives back every parameter: two different queries
 * never share a key, whatever their cursor holds, and nothing depends on the cursor's
 * position.
 */
public final class PageKey {

	private final String value;

	private final List<String> attendeeIds;

	private final List<String> accountIds;

	// computed once, on first use (fleet mode only); a race computes the same text twice
	private @Nullable String digest;

	/**
	 * @param value the readable text of the canonical request, the key of the cache
	 * @param attendeeIds the attendee ids asked for, canonical
	 * @param accountIds the account ids asked for, canonical
	 */
	public PageKey(String value, List<String> attendeeIds, List<String> accountIds) {
		this.value = value;
		this.attendeeIds = List.copyOf(attendeeIds);
		this.accountIds = List.copyOf(accountIds);
	}

	/**
	 * The key of the page that answers the query.
	 * @param query a validated, canonical query
	 * @return its key
	 */
	public static PageKey of(ChatsQuery query) {
		StringBuilder key = new StringBuilder(64);
		for (Map.Entry<String, String> parameter : query.parameters().entrySet()) {
			if (!key.isEmpty()) {
				key.append('&');
			}
			key.append(parameter.getKey()).append('=');
			escape(parameter.getValue(), key);
		}
		return new PageKey(key.toString(), query.attendeeIds(), query.accountIds());
	}

	private static void escape(String value, StringBuilder key) {
		if (value.indexOf('%') < 0 && value.indexOf('&') < 0) {
			key.append(value);
			return;
		}
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			switch (c) {
				case '%' -> key.append("%25");
				case '&' -> key.append("%26");
				default -> key.append(c);
			}
		}
	}

	/**
	 * The readable text of the canonical request, the key of the cache.
	 * @return the text
	 */
	public String value() {
		return this.value;
	}

	/**
	 * The attendee ids asked for, trimmed, de-duplicated and sorted.
	 * @return the ids
	 */
	public List<String> attendeeIds() {
		return this.attendeeIds;
	}

	/**
	 * The account ids asked for, trimmed, de-duplicated and sorted.
	 * @return the ids, empty when the request names none
	 */
	public List<String> accountIds() {
		return this.accountIds;
	}

	/**
	 * The SHA-256 of the key's text in hex, computed once: how a shared tier names the
	 * page without putting ids in its key names.
	 * @return the digest
	 */
	public String digest() {
		String digest = this.digest;
		if (digest == null) {
			digest = sha256(this.value);
			this.digest = digest;
		}
		return digest;
	}

	private static String sha256(String value) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
		}
	}

	@Override
	public boolean equals(@Nullable Object other) {
		// the ids are read from the same query as the text: the text decides
		return this == other || (other instanceof PageKey key && this.value.equals(key.value));
	}

	@Override
	public int hashCode() {
		return this.value.hashCode();
	}

	@Override
	public String toString() {
		return "PageKey[" + this.value + "]";
	}

}
