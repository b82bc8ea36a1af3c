package dev.chatproxy.support;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.junit.jupiter.SpringExtension;

import static org.awaitility.Awaitility.await;

/**
 * Gives each test of a shared application a fresh start, whatever ran before it and in
 * which order: no stubs or recorded requests in the fake postpress and its gate open,
 * empty caches, closed circuit breakers.
 */
class FreshStartExtension implements BeforeEachCallback, AfterEachCallback {

	/**
	 * Every application the tests of this JVM have started: they share one fake
	 * postpress, so a retry left running in any of them would be recorded in the next
	 * test.
	 */
	private static final Set<ConfigurableApplicationContext> applications = ConcurrentHashMap.newKeySet();

	@Override
	public void beforeEach(ExtensionContext context) {
		Postpress.gate().release();
		ApplicationContext application = SpringExtension.getApplicationContext(context);
		if (application instanceof ConfigurableApplicationContext configurable) {
			applications.add(configurable);
		}
		// a retry or refresh that an earlier test left running, in this application or
		// another, must not reach postpress once its journal is reset for this test
		applications.removeIf((started) -> !started.isActive());
		applications.forEach((started) -> started.getBeanProvider(MeterRegistry.class)
			.orderedStream()
			.findFirst()
			.ifPresent(FreshStartExtension::awaitNoFetchInFlight));
		Postpress.server().resetAll();
		application.getBeanProvider(CacheManager.class).forEach((caches) -> caches.getCacheNames().forEach((name) -> {
			Cache cache = caches.getCache(name);
			if (cache != null) {
				cache.clear();
			}
		}));
		application.getBeanProvider(CircuitBreakerRegistry.class)
			.forEach((breakers) -> breakers.getAllCircuitBreakers().forEach(CircuitBreaker::reset));
	}

	private static void awaitNoFetchInFlight(MeterRegistry meters) {
		try {
			await().atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(5))
				.until(() -> meters.find("chatproxy.cache.fetches.in.flight")
					.gauges()
					.stream()
					.mapToDouble(Gauge::value)
					.sum() == 0);
		}
		catch (ConditionTimeoutException ex) {
			// held by an upstream that never answers: the deadline ends it, and the
			// cleared cache below keeps its page out of this test
		}
	}

	@Override
	public void afterEach(ExtensionContext context) {
		// a test that failed while postpress was held must not leave it holding
		Postpress.gate().release();
	}

}
