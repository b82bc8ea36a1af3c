package dev.chatproxy.callers;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.AutoConfigurationImportFilter;
import org.springframework.boot.autoconfigure.AutoConfigurationMetadata;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;

/**
 * Leaves Spring Boot's security auto-configuration out unless callers need bearer JWTs
 * ({@link JwtCallers}), so that with tokens off Spring Security builds nothing: no filter
 * chain, user store, firewall or security filter; registered in
 * {@code META-INF/spring.factories} and applied like Boot's own conditions.
 */
class SecurityOnlyForJwtCallers implements AutoConfigurationImportFilter, EnvironmentAware {

	private static final String SECURITY_AUTO_CONFIGURATIONS = "org.springframework.boot.security.";

	private @Nullable Environment environment;

	@Override
	public void setEnvironment(Environment environment) {
		this.environment = environment;
	}

	@Override
	public boolean[] match(@Nullable String[] autoConfigurationClasses,
			AutoConfigurationMetadata autoConfigurationMetadata) {
		boolean jwtCallers = JwtCallers.on(Objects.requireNonNull(this.environment, "environment"));
		boolean[] match = new boolean[autoConfigurationClasses.length];
		for (int i = 0; i < match.length; i++) {
			String candidate = autoConfigurationClasses[i];
			match[i] = jwtCallers || candidate == null || !candidate.startsWith(SECURITY_AUTO_CONFIGURATIONS);
		}
		return match;
	}

}
