package dev.chatproxy.events;

import java.time.Duration;

import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Live updates' streams: how many, how long, how they are kept open.
 *
 * @param maxStreams the most streams open on this replica; past it, 503 with
 * {@code Retry-After}
 * @param heartbeat how often an idle stream gets a comment line, to keep proxies from
 * closing it
 * @param retry the reconnection delay the streams tell browsers
 * @param timeout how long one stream stays open before it ends (clients reconnect), in
 * place of {@code spring.mvc.async.request-timeout}
 * @param replayBuffer how many events this replica keeps for {@code Last-Event-ID}
 * replays
 * @param queueCapacity the most events waiting for one stream's client; a stream that
 * falls further behind is ended and counted
 * @param refreshDeadline how long an event waits for its attendee's first page to be
 * refreshed before it is sent anyway
 */
@Validated
@ConfigurationProperties("proxy.events")
public record EventsProperties(@Positive @DefaultValue("5000") int maxStreams, @DefaultValue("15s") Duration heartbeat,
		@DefaultValue("3s") Duration retry, @DefaultValue("30m") Duration timeout,
		@Positive @DefaultValue("1000") int replayBuffer, @Positive @DefaultValue("64") int queueCapacity,
		@DefaultValue("2s") Duration refreshDeadline) {

}
