package dev.chatproxy.chats;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.util.StringUtils;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.util.UriComponents;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The CORS headers Spring's CORS processing writes on a {@code GET} or {@code HEAD} of
 * the chats route, worked out once per allowed origin so that the {@link CachedHitFilter}
 * answers a browser's hit as cheaply as any other; preflights, origins not listed exactly
 * and same-origin requests stay with Spring.
 */
final class CorsHeaders {

	private static final CorsHeaders NONE = new CorsHeaders(false, Map.of());

	private static final List<String> VARY = List.of(HttpHeaders.ORIGIN, HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD,
			HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS);

	private final boolean enabled;

	private final Map<String, Allowed> byOrigin;

	private CorsHeaders(boolean enabled, Map<String, Allowed> byOrigin) {
		this.enabled = enabled;
		this.byOrigin = byOrigin;
	}

	/**
	 * The headers of the route's CORS configuration.
	 * @param config the configuration Spring MVC applies to the route; {@code null} when
	 * CORS is off
	 * @return the headers, for each origin the configuration allows as listed
	 */
	static CorsHeaders of(@Nullable CorsConfiguration config) {
		if (config == null) {
			return NONE;
		}
		Map<String, Allowed> byOrigin = new HashMap<>();
		for (String origin : Objects.requireNonNullElse(config.getAllowedOrigins(), List.<String>of())) {
			Allowed allowed = Allowed.of(config, origin);
			if (allowed != null) {
				byOrigin.put(origin, allowed);
			}
		}
		return new CorsHeaders(true, Map.copyOf(byOrigin));
	}

	/**
	 * Whether the filter can answer a request with this {@code Origin} (or none) as
	 * Spring would: no CORS, or a cross-origin request from an origin allowed as listed.
	 * @param origin the request's {@code Origin}
	 * @param request the request
	 * @return whether {@link #write} writes what Spring would
	 */
	boolean answerable(@Nullable String origin, HttpServletRequest request) {
		if (origin == null) {
			return true;
		}
		Allowed allowed = this.byOrigin.get(origin);
		return allowed != null && !allowed.sameOriginAs(request);
	}

	/**
	 * Writes the headers, leaving alone those already written (by Spring Security's own
	 * CORS processing, which runs first when callers' tokens are on), as Spring does.
	 * @param origin the request's {@code Origin}, one that {@link #answerable} accepted
	 * @param response the response
	 */
	void write(@Nullable String origin, HttpServletResponse response) {
		if (!this.enabled) {
			return;
		}
		if (response.containsHeader(HttpHeaders.VARY)) {
			Collection<String> vary = response.getHeaders(HttpHeaders.VARY);
			for (String header : VARY) {
				if (!vary.contains(header)) {
					response.addHeader(HttpHeaders.VARY, header);
				}
			}
		}
		else {
			for (String header : VARY) {
				response.addHeader(HttpHeaders.VARY, header);
			}
		}
		Allowed allowed = (origin != null) ? this.byOrigin.get(origin) : null;
		if (allowed != null && !response.containsHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN)) {
			allowed.write(response);
		}
	}

	/**
	 * One allowed origin: where it is (a request from the same place is no CORS request)
	 * and the headers its requests get.
	 */
	private record Allowed(@Nullable String scheme, @Nullable String host, int port, String allowOrigin,
			@Nullable String exposeHeaders, boolean allowCredentials) {

		static @Nullable Allowed of(CorsConfiguration config, String origin) {
			String allowOrigin = config.checkOrigin(origin);
			if (allowOrigin == null || CorsConfiguration.ALL.equals(allowOrigin)) {
				return null;
			}
			UriComponents uri;
			try {
				uri = UriComponentsBuilder.fromUriString(origin).build();
			}
			catch (IllegalArgumentException ex) {
				// Spring could not tell whether it is the same origin either: left to it
				return null;
			}
			List<String> exposed = config.getExposedHeaders();
			String exposeHeaders = (exposed == null || exposed.isEmpty()) ? null
					: StringUtils.collectionToDelimitedString(exposed, ", ");
			return new Allowed(uri.getScheme(), uri.getHost(), port(uri.getScheme(), uri.getPort()), allowOrigin,
					exposeHeaders, Boolean.TRUE.equals(config.getAllowCredentials()));
		}

		/** As Spring's {@code CorsUtils.isSameOrigin}. */
		boolean sameOriginAs(HttpServletRequest request) {
			String requestScheme = request.getScheme();
			return Objects.equals(this.scheme, requestScheme) && Objects.equals(this.host, request.getServerName())
					&& this.port == port(requestScheme, request.getServerPort());
		}

		void write(HttpServletResponse response) {
			response.addHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, this.allowOrigin);
			if (this.exposeHeaders != null) {
				response.addHeader(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS, this.exposeHeaders);
			}
			if (this.allowCredentials) {
				response.addHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
			}
		}

		private static int port(@Nullable String scheme, int port) {
			if (port == -1) {
				if ("http".equals(scheme) || "ws".equals(scheme)) {
					return 80;
				}
				if ("https".equals(scheme) || "wss".equals(scheme)) {
					return 443;
				}
			}
			return port;
		}

	}

}
