package dev.chatproxy.fleet;

import dev.chatproxy.support.FleetRedis;
import dev.chatproxy.support.RedisClusterSetup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fleet mode on a Redis Cluster of three primaries with a replica each: every rule of
 * section 9, and no failed request while a primary is killed under load.
 */
class FleetClusterIntegrationTests extends FleetTopologyRules {

	@RegisterExtension
	static RedisClusterSetup cluster = new RedisClusterSetup();

	@Override
	FleetRedis redis() {
		return cluster;
	}

	@Test
	void noRequestFailsWhenAPrimaryIsKilledUnderLoad() throws Exception {
		// the primary the fleet's subscriptions are on, if they are on one: the worst
		// case
		noRequestFailsWhile(() -> cluster.kill(cluster.primaryWithSubscribers()));
		cluster.awaitHealthy();
		everyRuleHoldsAgain();
	}

}
