package dev.chatproxy.callers;

import java.util.List;

import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * Whether callers need bearer JWTs: one of the properties set from which Spring Boot
 * builds its {@code JwtDecoder}.
 */
class JwtCallers implements Condition {

	private static final List<String> DECODER_PROPERTIES = List.of(
			"spring.security.oauth2.resourceserver.jwt.issuer-uri",
			"spring.security.oauth2.resourceserver.jwt.jwk-set-uri",
			"spring.security.oauth2.resourceserver.jwt.public-key-location");

	static boolean on(Environment environment) {
		return DECODER_PROPERTIES.stream().anyMatch((name) -> StringUtils.hasText(environment.getProperty(name)));
	}

	@Override
	public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
		return on(context.getEnvironment());
	}

}
