package dev.chatproxy.system;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.tracing.Span;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.server.observation.DefaultServerRequestObservationConvention;
import org.springframework.http.server.observation.ServerHttpObservationDocumentation.HighCardinalityKeyNames;
import org.springframework.http.server.observation.ServerRequestObservationContext;

/**
 * The inbound request's observation: Spring's tags (so {@code http.server.requests} is
 * unchanged), and on its span the {@code Cache-Status} the request was answered with; its
 * URL is the route template unless ids may be traced ({@code proxy.tracing.include-ids}).
 * High-cardinality values only ever go to the span (timers take the low-cardinality
 * ones), so they are worked out only for a span that records them: as shipped, and for
 * the unsampled nine in ten of a sampled replica, not at all.
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
		if (!recorded(context)) {
			return KeyValues.empty();
		}
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

	/**
	 * Whether the observation's span records what it is given: not when it is unsampled
	 * (a non-recording span drops its attributes). Asked before the span ends, since an
	 * ended OpenTelemetry span records nothing either.
	 * @param context the observation, while it stops
	 * @return {@code false} only for a span known not to record
	 */
	private static boolean recorded(Observation.Context context) {
		Span span = ObservedSpans.of(context);
		return span == null || !span.isNoop();
	}

}
