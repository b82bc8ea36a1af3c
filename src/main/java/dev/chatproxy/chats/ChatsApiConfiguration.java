package dev.chatproxy.chats;

import java.util.List;

import dev.chatproxy.system.ApiRoute;
import dev.chatproxy.system.CorsProperties;
import dev.chatproxy.system.RequestIds;
import dev.chatproxy.system.TracingProperties;
import org.jspecify.annotations.Nullable;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.servlet.config.annotation.CorsRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The chats routes as the rest of the application sees it: declared for the error
 * envelope (404 detail, path-parameter detail), and open to the browser origins of
 * {@code proxy.cors.allowed-origins}.
 */
@Configuration(proxyBeanMethods = false)
class ChatsApiConfiguration implements WebMvcConfigurer {

	/** The one route of the chats API (CONTRACT.md section 1). */
	static final String ROUTE = "/attendees/{attendee_id}/chats";

	private final CorsProperties cors;

	ChatsApiConfiguration(CorsProperties cors) {
		this.cors = cors;
	}

	/** The live updates of the same lists (CONTRACT.md section 13). */
	static final String EVENTS_ROUTE = ROUTE + "/events";

	@Bean
	ApiRoute chatsRoute() {
		return new ApiRoute(HttpMethod.GET, ROUTE);
	}

	@Bean
	ApiRoute chatEventsRoute() {
		return new ApiRoute(HttpMethod.GET, EVENTS_ROUTE);
	}

	@Override
	public void addCorsMappings(CorsRegistry registry) {
		CorsConfiguration config = corsConfiguration(this.cors);
		if (config != null) {
			registry.addMapping("/attendees/**").combine(config);
		}
	}

	/**
	 * The route's CORS configuration, which Spring MVC applies and the
	 * {@link CachedHitFilter} precomputes its headers from.
	 * @param cors the allowed origins
	 * @return the configuration, {@code null} when no origin is allowed
	 */
	static @Nullable CorsConfiguration corsConfiguration(CorsProperties cors) {
		if (cors.allowedOrigins().isEmpty()) {
			return null;
		}
		CorsConfiguration config = new CorsConfiguration();
		config.setAllowedOrigins(cors.allowedOrigins());
		config.setAllowedMethods(List.of("GET", "HEAD"));
		config.setAllowedHeaders(List.of(HttpHeaders.AUTHORIZATION, HttpHeaders.IF_NONE_MATCH,
				HttpHeaders.CACHE_CONTROL, RequestIds.HEADER, ChatEventsController.LAST_EVENT_ID,
				TracingProperties.TRACEPARENT, TracingProperties.TRACESTATE));
		config.setExposedHeaders(List.of(PageResponses.CACHE_STATUS, HttpHeaders.ETAG, HttpHeaders.AGE,
				HttpHeaders.RETRY_AFTER, RequestIds.HEADER));
		config.setAllowCredentials(false);
		config.setMaxAge(3600L);
		return config;
	}

}
