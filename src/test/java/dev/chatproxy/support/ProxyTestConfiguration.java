package dev.chatproxy.support;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistrar;

/**
 * What {@link ProxyIntegrationTest} adds to the application: postpress' address and key,
 * the cache clock, and the {@link ProxyClient} a test injects.
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

	/**
	 * The client of the running application; the ports are read on each call, since they
	 * are known only once the servers have started.
	 */
	@Bean
	ProxyClient proxyClient(Environment environment, ManualTicker ticker, MeterRegistry meters) {
		return new ProxyClient(() -> localPort(environment, "local.server.port"),
				() -> localPort(environment, "local.management.port"), ticker, meters);
	}

	private static int localPort(Environment environment, String name) {
		Integer port = environment.getProperty(name, Integer.class);
		if (port == null) {
			throw new IllegalStateException(name + " is not known: has the server started?");
		}
		return port;
	}

}
