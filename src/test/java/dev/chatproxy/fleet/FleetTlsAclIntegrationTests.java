package dev.chatproxy.fleet;

import dev.chatproxy.support.FleetRedis;
import dev.chatproxy.support.RedisTlsAclSetup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fleet mode on a Redis reached only over TLS (a CA made at test time, Spring Boot's SSL
 * bundle) as an ACL user limited to the proxy's keys and channels: every rule of section
 * 9, nothing the user may not do, and no failed request while that Redis hangs.
 */
class FleetTlsAclIntegrationTests extends FleetTopologyRules {

	@RegisterExtension
	static RedisTlsAclSetup redis = new RedisTlsAclSetup();

	@Override
	FleetRedis redis() {
		return redis;
	}

	@Test
	void theProxyNeedsNothingBeyondItsOwnKeysAndChannels() {
		assertThat(replica(0).get(chats(nextAttendee())).statusCode()).isEqualTo(200);
		assertThat(replica(1).management().send("DELETE", "/actuator/caches").statusCode()).isEqualTo(204);

		assertThat(redis.aclLog()).isEmpty();
	}

	@Test
	void noRequestFailsWhileRedisHangs() throws Exception {
		try {
			noRequestFailsWhile(redis::freeze);
		}
		finally {
			redis.thaw();
		}
		sharingResumes();
	}

}
