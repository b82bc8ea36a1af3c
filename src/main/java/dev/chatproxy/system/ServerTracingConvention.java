package dev.chatproxy.system;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.server.observation.DefaultServerRequestObservationConvention;
import org.springframework.http.server.observation.ServerHttpObservationDocumentation.HighCardinalityKeyNames;
import org.springframework.http.server.observation.ServerRequestObservationContext;

/**
 * The inbound request's observation: Spring's tags (so {@code http.server.requests} is
 * unchanged), and on its span the {@code Cache-Status} the request was answered with; its
 * URL is the route template unless ids may be traced ({@code proxy.tracing.include-ids}).
 */
class ServerTracingConvention extends DefaultServerRequestObservationConvention {

	/** The span attribute with the answer's {@code Cache-Status}. */
	static final String CACHE_STATUS = "http.response.header.cache-status";

	private final boolean includeIds;

	ServerTracingConvention(boolean includeIds) {
		this.includeIds = includeIds;
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(ServerRequestObservationContext context) {
		KeyValues values = super.getHighCardinalityKeyValues(context);
		HttpServletResponse response = context.getResponse();
		String cacheStatus = (response != null) ? response.getHeader("Cache-Status") : null;
		return (cacheStatus != null) ? values.and(CACHE_STATUS, cacheStatus) : values;
	}

	@Override
	protected KeyValue httpUrl(ServerRequestObservationContext context) {
		if (this.includeIds) {
			return super.httpUrl(context);
		}
		String pattern = context.getPathPattern();
		return KeyValue.of(HighCardinalityKeyNames.HTTP_URL, (pattern != null) ? pattern : "UNKNOWN");
	}

}
