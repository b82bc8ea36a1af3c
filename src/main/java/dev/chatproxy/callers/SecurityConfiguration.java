package dev.chatproxy.callers;

import java.util.List;

import dev.chatproxy.system.Problems;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.firewall.StrictHttpFirewall;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.context.support.WebApplicationContextUtils;
import org.springframework.web.cors.CorsUtils;

/**
 * The one security filter chain, wired only when callers need bearer JWTs
 * ({@code spring.security.oauth2.resourceserver.jwt.issuer-uri} or {@code .jwk-set-uri}
 * set, see {@link JwtCallers}): the API then needs a valid bearer JWT, while the
 * management port, CORS preflights, the OpenAPI document and the webhook (which has its
 * own secret) stay open. Without them Spring Security's auto-configuration is left out
 * altogether ({@link SecurityOnlyForJwtCallers}): no filter, login page, session, CSRF
 * token, security headers or generated password.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(JwtCallers.class)
@EnableConfigurationProperties(CallersProperties.class)
class SecurityConfiguration {

	/**
	 * No observation per security filter: with the actuator's registry Spring Security
	 * would wrap each of its dozen filters in an observation of its own on every request,
	 * which profiled as most of a cache hit's CPU. The request's own
	 * {@code http.server.requests} observation still measures it whole.
	 */
	@Bean
	SecurityObservationSettings noSecurityFilterObservations() {
		return SecurityObservationSettings.noObservations();
	}

	@Bean
	SecurityFilterChain securityFilterChain(HttpSecurity http, Problems problems) throws Exception {
		http.csrf((csrf) -> csrf.disable())
			.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.requestCache((cache) -> cache.disable())
			.logout((logout) -> logout.disable())
			// the proxy sets its own Cache-Control; Spring Security's would overwrite it
			.headers((headers) -> headers.disable());
		CallerRejections callerRejections = new CallerRejections(problems);
		http.authorizeHttpRequests(
				(requests) -> requests.dispatcherTypeMatchers(DispatcherType.ERROR, DispatcherType.ASYNC)
					.permitAll()
					.requestMatchers(CorsUtils::isPreFlightRequest)
					.permitAll()
					.requestMatchers(SecurityConfiguration::onManagementServer)
					.permitAll()
					.requestMatchers(HttpMethod.GET, "/openapi.yaml")
					.permitAll()
					.requestMatchers(HttpMethod.POST, "/webhooks/postpress")
					.permitAll()
					.anyRequest()
					.authenticated())
			.cors(Customizer.withDefaults())
			.oauth2ResourceServer((resourceServer) -> resourceServer.jwt(Customizer.withDefaults())
				.authenticationEntryPoint(callerRejections)
				.accessDeniedHandler(callerRejections))
			.exceptionHandling((exceptions) -> exceptions.authenticationEntryPoint(callerRejections)
				.accessDeniedHandler(callerRejections));
		return http.build();
	}

	/**
	 * Spring Security's firewall rejects some paths before the proxy sees them, with a
	 * 400 that names nothing: it stays, but lets encoded slashes through to the proxy's
	 * own validation of attendee ids.
	 */
	@Bean
	WebSecurityCustomizer firewall() {
		StrictHttpFirewall firewall = new StrictHttpFirewall();
		firewall.setAllowUrlEncodedSlash(true);
		return (web) -> web.httpFirewall(firewall);
	}

	/**
	 * Whether the request came in on the management port: its server runs in a child
	 * context of its own, whose requests pass through this chain too.
	 */
	private static boolean onManagementServer(HttpServletRequest request) {
		WebApplicationContext context = WebApplicationContextUtils
			.getWebApplicationContext(request.getServletContext());
		return context != null && WebServerApplicationContext.hasServerNamespace(context, "management");
	}

	/**
	 * Spring Boot adds this to the validators of the {@link JwtDecoder} it builds.
	 */
	@Bean
	@ConditionalOnProperty("proxy.security.audience")
	OAuth2TokenValidator<Jwt> audienceValidator(CallersProperties properties) {
		String audience = properties.audience();
		return new JwtClaimValidator<List<String>>(JwtClaimNames.AUD, (aud) -> aud != null && aud.contains(audience));
	}

}
