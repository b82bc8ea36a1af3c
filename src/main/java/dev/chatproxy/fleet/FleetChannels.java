package dev.chatproxy.fleet;

import dev.chatproxy.cache.Invalidation;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The pub/sub channels through which replicas tell each other what changed: a page's
 * lease was released (message: the page's hash), pages were invalidated (message: the
 * invalidation and its sender, as JSON), the cache was purged (message: the sender),
 * postpress asked for a pause (message: the pause, see {@link RedisUpstreamPause}).
 */
class FleetChannels {

	static final String LEASE_RELEASED = "chat-proxy:lease-released";

	static final String INVALIDATIONS = "chat-proxy:invalidations";

	static final String PURGES = "chat-proxy:purges";

	static final String PAUSES = RedisUpstreamPause.CHANNEL;

	/** Every channel, for the replica's one subscription. */
	static final String[] ALL = { LEASE_RELEASED, INVALIDATIONS, PURGES, PAUSES };

	private final StringRedisTemplate redis;

	private final JsonMapper json;

	private final String replica;

	FleetChannels(StringRedisTemplate redis, JsonMapper json, String replica) {
		this.redis = redis;
		this.json = json;
		this.replica = replica;
	}

	void leaseReleased(String hash) {
		this.redis.convertAndSend(LEASE_RELEASED, hash);
	}

	void invalidated(Invalidation invalidation) {
		this.redis.convertAndSend(INVALIDATIONS,
				this.json.writeValueAsString(new InvalidationMessage(this.replica, invalidation)));
	}

	void purged() {
		this.redis.convertAndSend(PURGES, this.replica);
	}

	InvalidationMessage readInvalidation(String message) {
		return this.json.readValue(message, InvalidationMessage.class);
	}

	boolean isMine(String sender) {
		return this.replica.equals(sender);
	}

	/**
	 * An invalidation as sent to the fleet.
	 *
	 * @param sender the replica that sent it
	 * @param invalidation the invalidation
	 */
	record InvalidationMessage(String sender, Invalidation invalidation) {
	}

}
