package dev.chatproxy.fleet;

import dev.chatproxy.support.FleetRedis;
import dev.chatproxy.support.RedisSentinelSetup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fleet mode on a Sentinel-managed primary (one replica, three sentinels): every rule of
 * section 9, and no failed request through a failover under load.
 */
class FleetSentinelIntegrationTests extends FleetTopologyRules {

	@RegisterExtension
	static RedisSentinelSetup sentinel = new RedisSentinelSetup();

	@Override
	FleetRedis redis() {
		return sentinel;
	}

	@Test
	void noRequestFailsThroughAFailoverUnderLoad() throws Exception {
		noRequestFailsWhile(sentinel::failover);
		everyRuleHoldsAgain();
	}

}
