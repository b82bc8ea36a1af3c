package dev.chatproxy.fleet;

/**
 * Empties the shared tier and tells every other replica to empty its in-process cache.
 */
class FleetPurge {

	private final SharedPageStore store;

	private final FleetChannels channels;

	private final RedisGuard guard;

	FleetPurge(SharedPageStore store, FleetChannels channels, RedisGuard guard) {
		this.store = store;
		this.channels = channels;
		this.guard = guard;
	}

	void purge() {
		this.guard.quietly(this.store::purge);
		this.guard.quietly(this.channels::purged);
	}

}
