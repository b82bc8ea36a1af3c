package dev.chatproxy.webhooks;

import java.time.Duration;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * postpress' webhook: off unless a secret is set.
 *
 * @param secret the shared secret postpress sends with each event; the webhook exists
 * only when it is set, from {@code PROXY_WEBHOOK_SECRET}
 * @param secretHeader the request header that carries the secret
 * @param queueCapacity the most events waiting to be applied; more are dropped and
 * counted
 * @param minRefreshInterval the least time between two invalidations of one attendee's
 * pages by webhook events (fleet-wide in fleet mode: later events within it are folded
 * into one at its end), between two refreshes of its first pages, and between two events
 * to its streams, whatever the rate of events
 */
@Validated
@ConfigurationProperties("proxy.webhook")
public record WebhookProperties(@Nullable String secret,
		@NotBlank @DefaultValue("X-Webhook-Secret") String secretHeader,
		@Positive @DefaultValue("10000") int queueCapacity, @DefaultValue("1s") Duration minRefreshInterval) {

	@Override
	public String toString() {
		return "WebhookProperties[secret=" + ((this.secret != null) ? "******" : null) + ", secretHeader="
				+ this.secretHeader + ", queueCapacity=" + this.queueCapacity + ", minRefreshInterval="
				+ this.minRefreshInterval + "]";
	}

}
