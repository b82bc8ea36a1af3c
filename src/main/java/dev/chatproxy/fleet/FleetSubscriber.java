package dev.chatproxy.fleet;

import dev.chatproxy.cache.PageCache;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.cache.CacheManager;

/**
 * Applies to this replica what the others announce: released leases wake the waiters,
 * invalidations and purges from other replicas reach the in-process cache (a replica
 * applies its own before it announces them).
 */
class FleetSubscriber extends RedisPubSubAdapter<String, String> {

	private static final Log logger = LogFactory.getLog(FleetSubscriber.class);

	private final FleetChannels channels;

	private final RedisSharedPages sharedPages;

	private final PageCache pageCache;

	private final CacheManager cacheManager;

	FleetSubscriber(FleetChannels channels, RedisSharedPages sharedPages, PageCache pageCache,
			CacheManager cacheManager) {
		this.channels = channels;
		this.sharedPages = sharedPages;
		this.pageCache = pageCache;
		this.cacheManager = cacheManager;
	}

	@Override
	public void message(String channel, String body) {
		try {
			switch (channel) {
				case FleetChannels.LEASE_RELEASED -> this.sharedPages.released(body);
				case FleetChannels.INVALIDATIONS -> invalidate(body);
				case FleetChannels.PURGES -> purge(body);
				default -> {
				}
			}
		}
		catch (RuntimeException ex) {
			// the message body may name ids: log only what failed
			logger.warn("Ignored a message on " + channel + ": " + ex.getClass().getSimpleName());
		}
	}

	private void invalidate(String body) {
		FleetChannels.InvalidationMessage message = this.channels.readInvalidation(body);
		if (!this.channels.isMine(message.sender())) {
			this.pageCache.invalidate(message.invalidation());
		}
	}

	private void purge(String sender) {
		if (!this.channels.isMine(sender)) {
			this.cacheManager.getCacheNames().forEach((name) -> {
				var cache = this.cacheManager.getCache(name);
				if (cache != null) {
					cache.clear();
				}
			});
		}
	}

}
