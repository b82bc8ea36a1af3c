package dev.chatproxy.support;

import java.time.Duration;

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
import org.springframework.test.context.junit.jupiter.SpringExtension;

import static org.awaitility.Awaitility.await;

/**
 * Gives each test of a shared application a fresh start, whatever ran before it and in
 * which order: no stubs or recorded requests in the fake postpress and its gate open,
 * empty caches, closed circuit breakers.
 */
class FreshStartExtension implements BeforeEachCallback, AfterEachCallback {

	@Override
	public void beforeEach(ExtensionContext context) {
		Postpress.gate().release();
		Postpress.server().resetAll();
		ApplicationContext application = SpringExtension.getApplicationContext(context);
		// a retry or refresh that the previous test left running must not end in this one
		application.getBeanProvider(MeterRegistry.class)
			.orderedStream()
			.findFirst()
			.ifPresent(FreshStartExtension::awaitNoFetchInFlight);
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
