package dev.chatproxy.fleet;

import io.lettuce.core.pubsub.RedisPubSubAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies to this replica what the others announce on the fleet's channels: released
 * leases wake the waiters, invalidations and purges from other replicas go to the shared
 * tier's change feed (a replica applies its own before it announces them), 429 pauses to
 * the fleet's pause.
 */
class FleetMessageListener extends RedisPubSubAdapter<String, String> {

	private static final Logger logger = LoggerFactory.getLogger(FleetMessageListener.class);

	private final FleetChannels channels;

	private final RedisSharedTier sharedTier;

	private final RedisUpstreamPause pause;

	FleetMessageListener(FleetChannels channels, RedisSharedTier sharedTier, RedisUpstreamPause pause) {
		this.channels = channels;
		this.sharedTier = sharedTier;
		this.pause = pause;
	}

	@Override
	public void message(String channel, String body) {
		try {
			switch (channel) {
				case FleetChannels.LEASE_RELEASED -> this.sharedTier.released(body);
				case FleetChannels.INVALIDATIONS -> invalidated(body);
				case FleetChannels.PURGES -> purged(body);
				case FleetChannels.PAUSES -> this.pause.heard(body);
				default -> {
				}
			}
		}
		catch (RuntimeException ex) {
			// the message body may name ids: log only what failed
			logger.warn("Ignored a message on {}: {}", channel, ex.getClass().getSimpleName());
		}
	}

	@Override
	public void subscribed(String channel, long count) {
		if (FleetChannels.PAUSES.equals(channel)) {
			this.pause.subscribed();
		}
	}

	private void invalidated(String body) {
		FleetChannels.InvalidationMessage message = this.channels.readInvalidation(body);
		if (!this.channels.isMine(message.sender())) {
			this.sharedTier.invalidatedElsewhere(message.invalidation());
		}
	}

	private void purged(String sender) {
		if (!this.channels.isMine(sender)) {
			this.sharedTier.purgedElsewhere();
		}
	}

}
