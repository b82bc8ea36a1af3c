package dev.chatproxy.events;

import java.util.UUID;

import dev.chatproxy.cache.PageCache;
import dev.chatproxy.upstream.ResilientPostpressClient;
import dev.chatproxy.webhooks.WebhookProperties;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Live updates' parts: the streams, the relay from invalidations to events, and their
 * threads.
 */
@Configuration(proxyBeanMethods = false)
class EventsConfiguration {

	@Bean
	EventThreads eventThreads() {
		return new EventThreads();
	}

	@Bean
	ChatStreams chatStreams(EventsProperties properties, EventThreads threads, MeterRegistry meters) {
		String run = UUID.randomUUID().toString().substring(0, 8);
		return new ChatStreams(properties, new ReplayBuffer(run, properties.replayBuffer()), threads.writers(),
				threads.scheduler(), meters);
	}

	@Bean
	ChangeRelay changeRelay(PageCache pageCache, ResilientPostpressClient postpress, ChatStreams chatStreams,
			EventThreads threads, WebhookProperties webhook, EventsProperties properties) {
		return new ChangeRelay(pageCache, new FirstPages(pageCache, postpress), chatStreams, threads.scheduler(),
				webhook.minRefreshInterval(), properties.refreshDeadline());
	}

}
