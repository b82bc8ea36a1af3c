package dev.chatproxy.webhooks;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * Matches when {@code proxy.webhook.secret} is set to something other than blanks, so
 * that an empty variable in a deployment leaves the webhook off rather than open.
 */
class WebhookEnabled extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		return StringUtils.hasText(context.getEnvironment().getProperty("proxy.webhook.secret"))
				? ConditionOutcome.match("proxy.webhook.secret is set")
				: ConditionOutcome.noMatch("proxy.webhook.secret is not set");
	}

}
