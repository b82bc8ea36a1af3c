package dev.chatproxy.support;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The {@link ProxyClient} a test of the whole application injects: both ports, the cache
 * clock (when the test has one) and the meters.
 */
@TestConfiguration(proxyBeanMethods = false)
public class ProxyClientConfiguration {

	/**
	 * The client of the running application; the ports are read on each call, since they
	 * are known only once the servers have started.
	 * @param environment where the servers publish their ports
	 * @param ticker the cache clock, if the test moves one
	 * @param meters the meters, if the application has any
	 * @return the client
	 */
	@Bean
	ProxyClient proxyClient(Environment environment, ObjectProvider<ManualTicker> ticker,
			ObjectProvider<MeterRegistry> meters) {
		return new ProxyClient(() -> localPort(environment, "local.server.port"),
				() -> localPort(environment, "local.management.port"), ticker.getIfAvailable(),
				meters.getIfAvailable());
	}

	private static int localPort(Environment environment, String name) {
		Integer port = environment.getProperty(name, Integer.class);
		if (port == null) {
			throw new IllegalStateException(name + " is not known: has the server started?");
		}
		return port;
	}

}
