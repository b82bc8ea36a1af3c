package dev.chatproxy.fleet;

import dev.chatproxy.ChatProxyApplication;
import dev.chatproxy.support.Postpress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * A Redis set-up fleet mode cannot serve fails start-up with a message that says why and
 * what to use instead, rather than a replica that starts and shares nothing. Redis need
 * not run: the settings alone decide.
 */
@ExtendWith(OutputCaptureExtension.class)
class UnsupportedRedisTopologyTests {

	@Test
	void aStaticPrimaryAndReplicasFailStartUpSayingWhy(CapturedOutput output) {
		SpringApplicationBuilder application = new SpringApplicationBuilder(ChatProxyApplication.class).properties(
				"server.port=0", "management.server.port=0", "postpress.api-key=" + Postpress.API_KEY,
				"proxy.cache.shared=redis", "spring.data.redis.masterreplica.nodes=127.0.0.1:1,127.0.0.1:2");

		assertThatException().isThrownBy(application::run)
			.withRootCauseInstanceOf(UnsupportedRedisTopologyException.class);
		assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
			.contains("Fleet mode (proxy.cache.shared=redis) cannot run on this Redis")
			.contains("spring.data.redis.masterreplica.nodes")
			.contains("spring.data.redis.sentinel.master")
			.contains("spring.data.redis.cluster.nodes");
	}

}
