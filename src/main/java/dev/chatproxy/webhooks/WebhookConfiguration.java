package dev.chatproxy.webhooks;

import java.time.Duration;

import dev.chatproxy.cache.Coalescer;
import dev.chatproxy.cache.Invalidation;
import dev.chatproxy.cache.Invalidations;
import io.micrometer.core.instrument.Counter;
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
	InvalidationQueue invalidationQueue(Invalidations invalidations, Coalescer coalescer, WebhookProperties properties,
			MeterRegistry meters, ObjectProvider<ObservationRegistry> observations) {
		Duration interval = properties.minRefreshInterval();
		Counter folded = Counter.builder("chatproxy.webhook.coalesced")
			.description("Webhook events folded into a trailing invalidation at the end of their interval")
			.register(meters);
		return new InvalidationQueue((event) -> {
			Invalidation now = coalescer.admit(event, interval, invalidations::invalidate);
			if (!now.equals(event)) {
				folded.increment();
			}
			return invalidations.invalidate(now);
		}, properties.queueCapacity(), meters, observations.getIfAvailable(() -> ObservationRegistry.NOOP));
	}

}
