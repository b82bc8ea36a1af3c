package dev.chatproxy.system;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Which browser origins may call the API.
 *
 * @param allowedOrigins origins allowed to call the API from a browser; none by default
 */
@ConfigurationProperties("proxy.cors")
public record CorsProperties(@DefaultValue List<String> allowedOrigins) {
}
