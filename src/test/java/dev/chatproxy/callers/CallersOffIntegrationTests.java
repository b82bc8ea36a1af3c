package dev.chatproxy.callers;

import java.net.http.HttpResponse;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.ProxyIntegrationTest;
import dev.chatproxy.support.ProxyClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.web.servlet.DelegatingFilterProxyRegistrationBean;
import org.springframework.context.ApplicationContext;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.web.FilterChainProxy;
import org.springframework.security.web.SecurityFilterChain;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Section 12 left off, the default: Spring Security is on the classpath, yet builds
 * nothing, and callers see the proxy exactly as without it.
 */
@ProxyIntegrationTest
class CallersOffIntegrationTests {

	private static final WireMockServer postpress = Postpress.server();

	@LocalServerPort
	int port;

	@Autowired
	ApplicationContext context;

	ProxyClient proxy;

	@BeforeEach
	void setUp() {
		this.proxy = new ProxyClient(this.port);
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(1, null)));
	}

	@Test
	void servesEveryCallerWhateverItsAuthorizationHeaderSays() {
		assertThat(this.proxy.get("/attendees/att_1/chats").statusCode()).isEqualTo(200);
		assertThat(this.proxy.get("/attendees/att_2/chats", "Authorization", "Bearer not-a-jwt").statusCode())
			.isEqualTo(200);
		assertThat(postpress.getAllServeEvents())
			.allSatisfy((event) -> assertThat(event.getRequest().getUrl()).doesNotContain("account_id"));
	}

	@Test
	void addsNoSessionCookieNorSecurityHeaders() {
		HttpResponse<String> response = this.proxy.get("/attendees/att_1/chats");

		assertThat(response.headers().firstValue("Cache-Control"))
			.hasValueSatisfying((value) -> assertThat(value).startsWith("private, max-age="));
		assertThat(response.headers().map().keySet()).map(String::toLowerCase)
			.doesNotContain("set-cookie", "x-frame-options", "x-content-type-options", "pragma", "expires",
					"www-authenticate");
	}

	@Test
	void offersNoLoginNorLogoutPage() {
		for (String method : new String[] { "GET", "POST" }) {
			for (String path : new String[] { "/login", "/logout" }) {
				HttpResponse<String> response = this.proxy.send(method, path);
				assertThat(response.statusCode()).as(method + " " + path).isIn(404, 405);
				assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
			}
		}
	}

	@Test
	void definesNoUserStoreNorTokenDecoder() {
		assertThat(this.context.getBeanProvider(UserDetailsService.class).getIfAvailable()).isNull();
		assertThat(this.context.getBeanProvider(JwtDecoder.class).getIfAvailable()).isNull();
	}

	@Test
	void buildsNothingOfSpringSecurity() {
		assertThat(this.context.getBeanNamesForType(SecurityFilterChain.class)).isEmpty();
		assertThat(this.context.getBeanNamesForType(FilterChainProxy.class)).isEmpty();
		assertThat(this.context.getBeanNamesForType(DelegatingFilterProxyRegistrationBean.class)).isEmpty();
		assertThat(this.context.getBeanNamesForType(SecurityFilterProperties.class)).isEmpty();
	}

}
