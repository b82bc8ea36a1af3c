package dev.chatproxy.chats;

import dev.chatproxy.system.ApiRoute;
import dev.chatproxy.system.CorsProperties;
import dev.chatproxy.system.RequestIds;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
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
		if (!this.cors.allowedOrigins().isEmpty()) {
			registry.addMapping("/attendees/**")
				.allowedOrigins(this.cors.allowedOrigins().toArray(String[]::new))
				.allowedMethods("GET", "HEAD")
				.allowedHeaders(HttpHeaders.AUTHORIZATION, HttpHeaders.IF_NONE_MATCH, HttpHeaders.CACHE_CONTROL,
						RequestIds.HEADER, ChatEventsController.LAST_EVENT_ID)
				.exposedHeaders(PageResponses.CACHE_STATUS, HttpHeaders.ETAG, HttpHeaders.AGE, HttpHeaders.RETRY_AFTER,
						RequestIds.HEADER)
				.allowCredentials(false)
				.maxAge(3600);
		}
	}

}
