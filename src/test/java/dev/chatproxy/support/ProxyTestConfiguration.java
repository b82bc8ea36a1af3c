package dev.chatproxy.support;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.DynamicPropertyRegistrar;

/**
 * What {@link ProxyIntegrationTest} adds to the application: postpress' address and key,
 * and the cache clock.
 */
@TestConfiguration(proxyBeanMethods = false)
class ProxyTestConfiguration {

	@Bean
	DynamicPropertyRegistrar postpressProperties() {
		return (registry) -> {
			registry.add("postpress.base-url", () -> Postpress.server().baseUrl() + Postpress.BASE_PATH);
			registry.add("postpress.api-key", () -> Postpress.API_KEY);
		};
	}

	@Bean
	@Primary
	ManualTicker manualTicker() {
		return new ManualTicker();
	}

}
