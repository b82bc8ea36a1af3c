package dev.chatproxy.callers;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.NotBlank;

/**
 * How callers' tokens are checked and scoped, when bearer JWTs are turned on with
 * {@code spring.security.oauth2.resourceserver.jwt.issuer-uri} or {@code .jwk-set-uri}.
 *
 * @param audience the audience a token must name in its {@code aud} claim; none required
 * when unset
 * @param accountsClaim the claim holding the list of postpress account ids the caller may
 * read
 */
@ConfigurationProperties("proxy.security")
@Validated
public record CallersProperties(@Nullable String audience,
		@DefaultValue("postpress_accounts") @NotBlank String accountsClaim) {
}
