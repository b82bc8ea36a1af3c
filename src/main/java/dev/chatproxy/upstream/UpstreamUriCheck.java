package dev.chatproxy.upstream;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

import dev.chatproxy.system.ProblemType;

import org.springframework.http.HttpStatus;
import org.springframework.web.util.UriUtils;

/**
 * Checks every built upstream URI right before the call: it must be
 * {@code {base}/chat_attendees/{one segment}/chats} on postpress' own host, the segment
 * being neither a dot segment nor anything that decodes to a path separator, whatever the
 * validation in front of it let through. The key is sent to that endpoint only.
 */
final class UpstreamUriCheck {

	private final URI base;

	private final String prefix;

	private static final String SUFFIX = "/chats";

	UpstreamUriCheck(URI baseUrl) {
		this.base = baseUrl;
		String basePath = (baseUrl.getRawPath() != null) ? baseUrl.getRawPath() : "";
		this.prefix = (basePath.endsWith("/") ? basePath.substring(0, basePath.length() - 1) : basePath)
				+ "/chat_attendees/";
	}

	/**
	 * Returns the URI if it has the one allowed shape.
	 * @param uri the URI about to be called
	 * @return the same URI
	 * @throws UpstreamRejection a 400 naming {@code attendee_id} otherwise; never sent
	 */
	URI check(URI uri) {
		if (!Objects.equals(uri.getScheme(), this.base.getScheme())
				|| !Objects.equals(uri.getRawAuthority(), this.base.getRawAuthority()) || uri.getRawFragment() != null
				|| !isChatsPath(uri.getRawPath())) {
			throw new UpstreamRejection(ProblemType.INVALID_PARAMETERS, HttpStatus.BAD_REQUEST,
					"'attendee_id' does not make a valid postpress path.", null);
		}
		return uri;
	}

	private boolean isChatsPath(String rawPath) {
		if (rawPath == null || !rawPath.startsWith(this.prefix) || !rawPath.endsWith(SUFFIX)
				|| rawPath.length() <= this.prefix.length() + SUFFIX.length()) {
			return false;
		}
		String segment = rawPath.substring(this.prefix.length(), rawPath.length() - SUFFIX.length());
		if (segment.indexOf('/') >= 0 || segment.indexOf(';') >= 0 || segment.indexOf('\\') >= 0) {
			return false;
		}
		String decoded;
		try {
			decoded = UriUtils.decode(segment, StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
		return !decoded.isBlank() && !decoded.equals(".") && !decoded.equals("..") && decoded.indexOf('/') < 0
				&& decoded.indexOf('\\') < 0 && decoded.indexOf(';') < 0 && decoded.chars().noneMatch((c) -> c < 0x20);
	}

}
