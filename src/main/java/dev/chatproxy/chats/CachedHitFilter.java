package dev.chatproxy.chats;

import java.io.IOException;

import dev.chatproxy.cache.Served;
import dev.chatproxy.system.RequestIds;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.ServerHttpObservationFilter;

/**
 * Answers a cache hit on the chats route before Spring MVC: the page's stored bytes and
 * its headers, with no handler lookup, argument resolution or message conversion. It sits
 * behind every filter that must see each request (request id, access log, metrics,
 * security) and validates exactly as the controller does, through {@link ChatsPages}.
 * Whatever is not a plain hit it leaves to Spring MVC, which answers it as before: misses
 * and errors (handing on the lookup it made, or the refusal, so that the controller
 * neither validates nor reads the cache again), {@code no-cache}, CORS requests other
 * than a {@code GET} or {@code HEAD} from an origin allowed as listed (whose CORS headers
 * it writes as Spring would, see {@link CorsHeaders}), and {@code Accept} or path forms
 * it does not recognise at a glance (which the controller looks up itself).
 */
class CachedHitFilter implements Filter {

	static final String PATTERN = "/attendees/{attendee_id}/chats";

	private static final String PREFIX = "/attendees/";

	private static final String SUFFIX = "/chats";

	private final ObjectProvider<ChatsPages> pagesProvider;

	private volatile @Nullable ChatsPages pages;

	private final CorsHeaders cors;

	/**
	 * @param pages the way from a request to its page, looked up at the first request:
	 * filters are made while the web server starts, before the beans they would pull in
	 * (postpress' client) can be
	 * @param cors the CORS headers Spring MVC writes on the route (when CORS is
	 * configured, {@code Vary} on every answer), which this filter writes too
	 */
	CachedHitFilter(ObjectProvider<ChatsPages> pages, CorsHeaders cors) {
		this.pagesProvider = pages;
		this.cors = cors;
	}

	@Override
	public void doFilter(ServletRequest servletRequest, ServletResponse servletResponse, FilterChain chain)
			throws IOException, ServletException {
		HttpServletRequest request = (HttpServletRequest) servletRequest;
		HttpServletResponse response = (HttpServletResponse) servletResponse;
		String method = request.getMethod();
		boolean head = "HEAD".equals(method);
		String attendeeId = (head || "GET".equals(method)) ? attendeeId(request) : null;
		String origin = request.getHeader(HttpHeaders.ORIGIN);
		if (attendeeId == null || !plain(request) || !this.cors.answerable(origin, request)) {
			chain.doFilter(request, response);
			return;
		}
		Served served = cached(request, attendeeId);
		if (served == null) {
			chain.doFilter(request, response);
			return;
		}
		ServerHttpObservationFilter.findObservationContext(request)
			.ifPresent((context) -> context.setPathPattern(PATTERN));
		this.cors.write(origin, response);
		PageResponses.write(served, request.getHeader(HttpHeaders.IF_NONE_MATCH), head, response);
	}

	/**
	 * Looks the request up and reads the cache; unless it is a hit, hands on to the
	 * controller what it found: the lookup (marked missed when the cache had nothing to
	 * answer at once), or why the request is refused.
	 */
	private @Nullable Served cached(HttpServletRequest request, String attendeeId) {
		ChatsPages pages = pages();
		ChatsPages.Lookup lookup;
		try {
			lookup = pages.lookup(attendeeId, request.getQueryString(), RequestIds.current(request));
		}
		catch (RuntimeException ex) {
			// invalid or refused: the controller answers it in the envelope
			LookupArgumentResolver.handOn(request, ex);
			return null;
		}
		try {
			Served served = pages.cached(lookup);
			if (served == null) {
				LookupArgumentResolver.handOn(request, lookup.afterMiss());
			}
			return served;
		}
		catch (RuntimeException ex) {
			// the controller reads the cache again, and answers what fails in the
			// envelope
			LookupArgumentResolver.handOn(request, lookup);
			return null;
		}
	}

	private ChatsPages pages() {
		ChatsPages current = this.pages;
		if (current == null) {
			current = this.pagesProvider.getObject();
			this.pages = current;
		}
		return current;
	}

	/**
	 * The attendee id of a chats path in its simplest form, as Spring MVC would bind it;
	 * {@code null} for anything else (other paths, percent-encoding, a context path),
	 * which Spring MVC handles.
	 */
	private static @Nullable String attendeeId(HttpServletRequest request) {
		String uri = request.getRequestURI();
		int end = uri.length() - SUFFIX.length();
		if (end <= PREFIX.length() || !uri.startsWith(PREFIX) || !uri.endsWith(SUFFIX)) {
			return null;
		}
		for (int i = PREFIX.length(); i < end; i++) {
			char c = uri.charAt(i);
			if (c == '/' || c == '%' || c == ';') {
				return null;
			}
		}
		return uri.substring(PREFIX.length(), end);
	}

	/**
	 * Whether the request asks for nothing but the cached page: no fresh copy, and JSON
	 * acceptable in one of the plain forms (anything else is negotiated by Spring MVC,
	 * with a 406 where it must).
	 */
	private static boolean plain(HttpServletRequest request) {
		if (PageResponses.asksForRefresh(request.getHeader(HttpHeaders.CACHE_CONTROL))) {
			return false;
		}
		String accept = request.getHeader(HttpHeaders.ACCEPT);
		return accept == null || accept.equals("*/*") || accept.equals("application/json");
	}

}
