package dev.chatproxy.fleet;

import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The Redis set-ups fleet mode serves: one primary, standalone or behind Sentinel, or a
 * Redis Cluster, through Lettuce. Checked from the settings alone, at start-up, so that a
 * replica fails to start rather than running without sharing; Redis itself may be down.
 */
final class RedisTopology {

	private static final String SUPPORTED = "Use a standalone Redis (spring.data.redis.url), a Sentinel-managed "
			+ "primary (spring.data.redis.sentinel.master and .nodes) or a Redis Cluster "
			+ "(spring.data.redis.cluster.nodes), with Spring Boot's default Lettuce client.";

	private final LettuceConnectionFactory connections;

	private RedisTopology(LettuceConnectionFactory connections) {
		this.connections = connections;
	}

	/**
	 * Checks the settings and the connection factory Spring Boot made from them.
	 * @param properties Spring Boot's {@code spring.data.redis.*} settings
	 * @param connections the connection factory
	 * @return the topology, with its Lettuce connection factory
	 * @throws UnsupportedRedisTopologyException if fleet mode cannot run on it
	 */
	static RedisTopology check(DataRedisProperties properties, RedisConnectionFactory connections) {
		if (properties.getMasterreplica() != null && properties.getMasterreplica().getNodes() != null
				&& !properties.getMasterreplica().getNodes().isEmpty()) {
			throw new UnsupportedRedisTopologyException(
					"spring.data.redis.masterreplica.nodes lets commands read from replicas, which lag behind "
							+ "the leases and pages the fleet shares",
					SUPPORTED);
		}
		if (!(connections instanceof LettuceConnectionFactory lettuce)) {
			throw new UnsupportedRedisTopologyException("its pub/sub and cluster support need the Lettuce client, not "
					+ connections.getClass().getSimpleName() + " (spring.data.redis.client-type)", SUPPORTED);
		}
		return new RedisTopology(lettuce);
	}

	LettuceConnectionFactory connections() {
		return this.connections;
	}

}
