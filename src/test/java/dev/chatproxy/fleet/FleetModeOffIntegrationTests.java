package dev.chatproxy.fleet;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.util.Arrays;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.chatproxy.cache.SharedTier;
import dev.chatproxy.support.Postpress;
import io.lettuce.core.resource.ClientResources;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.RedisTemplate;

import dev.chatproxy.ChatProxyApplication;
import dev.chatproxy.support.ProxyClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Without {@code proxy.cache.shared=redis} nothing of fleet mode is wired: no bean of the
 * fleet package, the cache's no-op shared tier, not even a Redis client, no Redis
 * connection tried, and health knows nothing of Redis.
 */
class FleetModeOffIntegrationTests {

	private static final WireMockServer postpress = Postpress.server();

	@Test
	void noRedisConnectionIsTriedAndHealthShowsNoRedis() throws IOException {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(2, null)));
		// a port that would notice any connection the application makes to "Redis"
		try (ServerSocket redis = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
				ConfigurableApplicationContext context = new SpringApplicationBuilder(ChatProxyApplication.class).run(
						"--server.port=0", "--server.address=127.0.0.1", "--management.server.port=0",
						"--management.server.address=127.0.0.1",
						"--postpress.base-url=" + postpress.baseUrl() + Postpress.BASE_PATH,
						"--postpress.api-key=" + Postpress.API_KEY,
						"--spring.data.redis.url=redis://127.0.0.1:" + redis.getLocalPort())) {
			ProxyClient api = new ProxyClient(port(context, "local.server.port"));
			ProxyClient management = new ProxyClient(port(context, "local.management.port"));

			assertThat(api.get("/attendees/att_1/chats").statusCode()).isEqualTo(200);
			JsonNode health = JsonMapper.builder().build().readTree(management.get("/actuator/health").body());

			assertThat(health.path("status").asString()).isEqualTo("UP");
			assertThat(health.path("components").has("sharedCache")).isFalse();
			assertThat(health.path("components").has("redis")).isFalse();
			assertThat(context.getBeansOfType(RedisSharedTier.class)).isEmpty();
			assertThat(context.getBean(SharedTier.class).getClass().getPackageName()).isEqualTo("dev.chatproxy.cache");
			assertThat(Arrays.stream(context.getBeanDefinitionNames()).map(context::getType))
				.filteredOn(
						(type) -> type != null && type.getPackageName().equals(RedisSharedTier.class.getPackageName()))
				.as("beans of the fleet package")
				.isEmpty();
			// nor even a Redis client: Spring Boot's Redis auto-configuration is left out
			assertThat(context.getBeanNamesForType(RedisConnectionFactory.class)).isEmpty();
			assertThat(context.getBeanNamesForType(ClientResources.class)).isEmpty();
			assertThat(context.getBeanNamesForType(RedisTemplate.class)).isEmpty();
			assertThat(context.getBeanNamesForType(DataRedisProperties.class)).isEmpty();
			redis.setSoTimeout(200);
			try {
				redis.accept().close();
				throw new AssertionError("the application connected to Redis with fleet mode off");
			}
			catch (SocketTimeoutException expected) {
				// nothing connected
			}
		}
	}

	private static int port(ConfigurableApplicationContext context, String property) {
		return Integer.parseInt(context.getEnvironment().getProperty(property));
	}

}
