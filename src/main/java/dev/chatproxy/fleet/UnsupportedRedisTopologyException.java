package dev.chatproxy.fleet;

/**
 * Fleet mode was turned on against a Redis set-up the proxy cannot share pages through.
 */
class UnsupportedRedisTopologyException extends IllegalStateException {

	private final String action;

	UnsupportedRedisTopologyException(String reason, String action) {
		super("Fleet mode (proxy.cache.shared=redis) cannot run on this Redis: " + reason);
		this.action = action;
	}

	String action() {
		return this.action;
	}

}
