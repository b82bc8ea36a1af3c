package dev.chatproxy.system;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * What chat-proxy's spans may hold; where they go and how many are sampled are Spring
 * Boot's {@code management.opentelemetry.*} and {@code management.tracing.*} settings.
 *
 * @param includeIds whether spans may hold attendee and account ids (the request's path,
 * the upstream URL); off by default
 */
@ConfigurationProperties("proxy.tracing")
public record TracingProperties(boolean includeIds) {

	/**
	 * The W3C trace context's request header, which browsers on other origins may send
	 * (CORS) so that their traces continue here.
	 */
	public static final String TRACEPARENT = "traceparent";

	/** The W3C trace context's vendor-specific request header, allowed with it. */
	public static final String TRACESTATE = "tracestate";

}
