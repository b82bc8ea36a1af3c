package dev.chatproxy.support;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Import;

/**
 * The whole application on random ports in front of the JVM's one fake postpress
 * ({@link Postpress#server()}), with test-sized resilience settings, a cache clock the
 * test moves ({@link ManualTicker}), Prometheus metrics, and a browser origin allowed
 * ({@value #ALLOWED_ORIGIN}). Before each test the fake, the caches and the circuit
 * breakers start afresh.
 * <p>
 * Every class with this annotation and nothing else that changes the context shares one
 * application: add a {@code @TestPropertySource} only when a test needs other settings
 * (it then gets, and pays for, its own).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "proxy.cors.allowed-origins=" + ProxyIntegrationTest.ALLOWED_ORIGIN,
				"resilience4j.retry.configs.default.wait-duration=10ms",
				"resilience4j.retry.configs.default.exponential-max-wait-duration=20ms",
				"resilience4j.circuitbreaker.configs.default.sliding-window-size=4",
				"resilience4j.circuitbreaker.configs.default.minimum-number-of-calls=4" })
@AutoConfigureMetrics
@Import({ ProxyTestConfiguration.class, ProxyClientConfiguration.class })
@ExtendWith(FreshStartExtension.class)
public @interface ProxyIntegrationTest {

	/** The browser origin the application allows in tests. */
	String ALLOWED_ORIGIN = "https://app.example.com";

}
