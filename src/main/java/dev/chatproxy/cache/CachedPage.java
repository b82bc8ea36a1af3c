package dev.chatproxy.cache;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * A page as it is served: the JSON bytes postpress sent, their entity tag, and when they
 * were fetched.
 *
 * @param body the page's JSON
 * @param etag a strong entity tag, a hash of the body
 * @param storedAtNanos the cache ticker's reading when the page was fetched
 */
public record CachedPage(byte[] body, String etag, long storedAtNanos) {

	static CachedPage of(byte[] body, long storedAtNanos) {
		return new CachedPage(body, etag(body), storedAtNanos);
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
