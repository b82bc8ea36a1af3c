package dev.chatproxy.chats;

import java.io.IOException;
import java.util.Locale;
import java.util.function.BiConsumer;

import dev.chatproxy.cache.Served;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * Turns a served page into the HTTP answer of CONTRACT.md section 3: body, {@code ETag},
 * {@code Age}, {@code Cache-Control} and RFC 9211 {@code Cache-Status}, or a 304.
 */
final class PageResponses {

	/** RFC 9211's header: how the cache answered. */
	static final String CACHE_STATUS = "Cache-Status";

	private static final String CACHE_NAME = "chat-proxy";

	private PageResponses() {
	}

	static ResponseEntity<byte[]> of(Served served, @Nullable String ifNoneMatch) {
		HttpHeaders headers = new HttpHeaders();
		if (cacheHeaders(served, ifNoneMatch, headers::set)) {
			return new ResponseEntity<>(headers, HttpStatus.NOT_MODIFIED);
		}
		headers.setContentType(MediaType.APPLICATION_JSON);
		return new ResponseEntity<>(served.page().body(), headers, HttpStatus.OK);
	}

	/**
	 * Writes the same answer as {@link #of} straight to the servlet response, for the
	 * {@link CachedHitFilter}.
	 * @param served the page
	 * @param ifNoneMatch the request's {@code If-None-Match}
	 * @param head whether the request is a {@code HEAD}: headers only
	 * @param response the response to write
	 * @throws IOException if the body cannot be written
	 */
	static void write(Served served, @Nullable String ifNoneMatch, boolean head, HttpServletResponse response)
			throws IOException {
		if (cacheHeaders(served, ifNoneMatch, response::setHeader)) {
			response.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
			return;
		}
		byte[] body = served.page().body();
		response.setStatus(HttpServletResponse.SC_OK);
		response.setContentType(MediaType.APPLICATION_JSON_VALUE);
		response.setContentLength(body.length);
		if (!head) {
			response.getOutputStream().write(body);
		}
	}

	/**
	 * Sets the headers every answer of a page carries, 304 or not.
	 * @return whether the answer is a 304 ({@code If-None-Match} matches)
	 */
	private static boolean cacheHeaders(Served served, @Nullable String ifNoneMatch,
			BiConsumer<String, String> header) {
		header.accept(CACHE_STATUS, cacheStatus(served));
		header.accept(HttpHeaders.AGE, Long.toString(served.ageSeconds()));
		header.accept(HttpHeaders.ETAG, served.page().etag());
		header.accept(HttpHeaders.CACHE_CONTROL, "private, max-age=" + Math.max(0, served.ttlSeconds()));
		return matches(ifNoneMatch, served.page().etag());
	}

	static boolean asksForRefresh(@Nullable String cacheControl) {
		if (cacheControl == null) {
			return false;
		}
		String directives = cacheControl.toLowerCase(Locale.ROOT).replace(" ", "");
		for (String directive : directives.split(",")) {
			if (directive.equals("no-cache") || directive.equals("max-age=0")) {
				return true;
			}
		}
		return false;
	}

	private static String cacheStatus(Served served) {
		return CACHE_NAME + "; " + switch (served.status()) {
			case HIT -> "hit; ttl=" + served.ttlSeconds();
			case REVALIDATING -> "hit; ttl=" + served.ttlSeconds() + "; detail=stale-while-revalidate";
			case STORED -> "fwd=uri-miss; stored";
			case REFRESHED -> "fwd=request; stored";
			case COLLAPSED -> "fwd=uri-miss; collapsed";
			case STALE -> "hit; ttl=" + served.ttlSeconds() + "; detail=stale-if-error";
		};
	}

	/** Weak comparison, as RFC 9110 asks for {@code If-None-Match}. */
	private static boolean matches(@Nullable String ifNoneMatch, String etag) {
		if (ifNoneMatch == null) {
			return false;
		}
		for (String candidate : ifNoneMatch.split(",")) {
			String tag = candidate.trim();
			if (tag.equals("*") || tag.equals(etag) || (tag.startsWith("W/") && tag.substring(2).equals(etag))) {
				return true;
			}
		}
		return false;
	}

}
