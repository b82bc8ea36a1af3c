package dev.chatproxy.webhooks;

import dev.chatproxy.cache.Invalidations;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * The webhook's queue, wired only when {@code proxy.webhook.secret} is set; otherwise
 * {@code /webhooks/postpress} does not exist.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(WebhookEnabled.class)
class WebhookConfiguration {

	@Bean
	InvalidationQueue invalidationQueue(Invalidations invalidations, WebhookProperties properties, MeterRegistry meters,
			ObjectProvider<ObservationRegistry> observations) {
		return new InvalidationQueue(invalidations::invalidate, properties.queueCapacity(), meters,
				observations.getIfAvailable(() -> ObservationRegistry.NOOP));
	}

}
