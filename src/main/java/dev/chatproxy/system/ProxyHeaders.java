package dev.chatproxy.system;

/**
 * Names of the response headers chat-proxy adds, for the code that writes, exposes or
 * logs them.
 */
public final class ProxyHeaders {

	/** RFC 9211's header: how the cache answered. */
	public static final String CACHE_STATUS = "Cache-Status";

	private ProxyHeaders() {
	}

}
