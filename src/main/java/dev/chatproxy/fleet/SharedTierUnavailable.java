package dev.chatproxy.fleet;

/**
 * Redis failed, timed out or is cut off by its circuit breaker: the replica works alone.
 */
final class SharedTierUnavailable extends RuntimeException {

	SharedTierUnavailable(Throwable cause) {
		super(cause.getClass().getSimpleName(), cause, false, false);
	}

	private SharedTierUnavailable(String reason) {
		super(reason, null, false, false);
	}

	/**
	 * Redis was not asked, having failed a moment ago.
	 * @return the exception
	 */
	static SharedTierUnavailable skipped() {
		return new SharedTierUnavailable("not asked: Redis failed less than a second ago");
	}

}
