package dev.chatproxy.support;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.junit.jupiter.SpringExtension;

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
		application.getBeanProvider(CacheManager.class).forEach((caches) -> caches.getCacheNames().forEach((name) -> {
			Cache cache = caches.getCache(name);
			if (cache != null) {
				cache.clear();
			}
		}));
		application.getBeanProvider(CircuitBreakerRegistry.class)
			.forEach((breakers) -> breakers.getAllCircuitBreakers().forEach(CircuitBreaker::reset));
	}

	@Override
	public void afterEach(ExtensionContext context) {
		// a test that failed while postpress was held must not leave it holding
		Postpress.gate().release();
	}

}
