package dev.chatproxy.fleet;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The replica's one subscription to the fleet's channels (leases, invalidations, purges
 * and the 429 pause), on a pub/sub connection of its own.
 * <p>
 * It is opened, with the shared connection for commands, in the background and tried
 * again every second until Redis answers, so that a replica starts, and serves, while
 * Redis is down. Once open, Lettuce reconnects it after an outage and subscribes again by
 * itself.
 */
class FleetSubscription implements SmartLifecycle {

	private static final Logger logger = LoggerFactory.getLogger(FleetSubscription.class);

	private static final long RETRY_SECONDS = 1;

	private final LettuceConnectionFactory connections;

	private final FleetMessageListener listener;

	private final ScheduledExecutorService scheduler;

	private volatile boolean running;

	private volatile @Nullable StatefulRedisPubSubConnection<String, String> connection;

	FleetSubscription(LettuceConnectionFactory connections, FleetMessageListener listener,
			ScheduledExecutorService scheduler) {
		this.connections = connections;
		this.listener = listener;
		this.scheduler = scheduler;
	}

	@Override
	public void start() {
		this.running = true;
		this.scheduler.execute(this::subscribe);
	}

	private synchronized void subscribe() {
		if (!this.running || this.connection != null) {
			return;
		}
		StatefulRedisPubSubConnection<String, String> opened = null;
		try {
			// opens the shared command connection too, so that no request pays for it
			try (RedisConnection commands = this.connections.getConnection()) {
				commands.ping();
			}
			// classic pub/sub: a cluster delivers a message published on any node to
			// every node
			Object client = this.connections.getRequiredNativeClient();
			opened = (client instanceof RedisClusterClient cluster) ? cluster.connectPubSub()
					: ((RedisClient) client).connectPubSub();
			opened.addListener(this.listener);
			opened.sync().subscribe(FleetChannels.ALL);
			this.connection = opened;
		}
		catch (RuntimeException ex) {
			if (opened != null) {
				opened.closeAsync();
			}
			logger.warn("Cannot subscribe to the fleet's Redis channels yet ({}); trying again in {}s",
					ex.getClass().getSimpleName(), RETRY_SECONDS);
			this.scheduler.schedule(this::subscribe, RETRY_SECONDS, TimeUnit.SECONDS);
		}
	}

	/**
	 * Whether this replica hears the fleet's announcements.
	 * @return {@code true} once subscribed and while connected
	 */
	boolean isSubscribed() {
		StatefulRedisPubSubConnection<String, String> current = this.connection;
		return current != null && current.isOpen();
	}

	@Override
	public synchronized void stop() {
		this.running = false;
		StatefulRedisPubSubConnection<String, String> current = this.connection;
		if (current != null) {
			current.close();
			this.connection = null;
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

}
