package dev.chatproxy.callers;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.ProxyIntegrationTest;
import dev.chatproxy.support.ProxyClient;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.ClassPathResource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.okForContentType;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI document is true: real answers of the running proxy, successes and every
 * kind of error, with bearer JWTs on, each validate against it.
 */
@ProxyIntegrationTest
@TestPropertySource(properties = { "spring.security.oauth2.resourceserver.jwt.issuer-uri=" + Tokens.ISSUER,
		"proxy.security.audience=" + Tokens.AUDIENCE })
class OpenApiContractIntegrationTests {

	private static final Tokens tokens = new Tokens();

	private static final OpenApiDocument openApi = new OpenApiDocument();

	private static final WireMockServer postpress = Postpress.server();

	@RegisterExtension
	static WireMockExtension issuer = WireMockExtension.newInstance()
		.options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
		.build();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("spring.security.oauth2.resourceserver.jwt.jwk-set-uri", () -> issuer.baseUrl() + "/jwks.json");
	}

	@Autowired
	ProxyClient proxy;

	@Autowired
	CircuitBreakerRegistry circuitBreakers;

	String token;

	@BeforeEach
	void setUp() {
		issuer.stubFor(WireMock.get("/jwks.json").willReturn(WireMock.okJson(tokens.jwks())));
		this.token = tokens.valid("acc_1", "acc_2");
	}

	@Test
	void servesTheDocumentWithoutAToken() throws Exception {
		HttpResponse<String> response = this.proxy.get("/openapi.yaml");

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("application/yaml"));
		assertThat(response.body())
			.isEqualTo(new ClassPathResource("openapi/openapi.yaml").getContentAsString(StandardCharsets.UTF_8));
	}

	@Test
	void pagesHitsAndRevalidationsAreAsDocumented() {
		String body = """
				{"object":"ChatList","items":[%s,{"object":"Chat","id":"c2","account_id":"acc_2",\
				"account_type":"MASTODON","provider_id":"p2","name":null,"type":3,"timestamp":null,"unread_count":0,\
				"archived":0,"muted_until":-1,"read_only":0,"pinned":1,"brand_new_field":{"x":1}}],\
				"cursor":"eyJvIjoxMDB9","new_top_level":true}""".formatted(Postpress.chatJson(1));
		postpress.stubFor(Postpress.chats().willReturn(okForContentType("application/json", body)));

		HttpResponse<String> miss = get("/attendees/att_1/chats?limit=10");
		HttpResponse<String> hit = get("/attendees/att_1/chats?limit=10");
		HttpResponse<String> notModified = get("/attendees/att_1/chats?limit=10", "If-None-Match",
				miss.headers().firstValue("ETag").orElseThrow());

		assertThat(List.of(miss.statusCode(), hit.statusCode(), notModified.statusCode())).containsExactly(200, 200,
				304);
		assertDocumented(miss, hit, notModified);
	}

	@Test
	void theProxysOwnRefusalsAreAsDocumented() {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(1, null)));

		List<HttpResponse<String>> responses = List.of(get("/attendees/att_1/chats?limit=0"),
				get("/attendees/att_1/chats?accountId=acc_1"), this.proxy.get("/attendees/att_1/chats"),
				get("/attendees/att_1/chats", "Authorization", "Bearer " + tokens.signedByStranger()),
				get("/attendees/att_1/chats?account_id=acc_3"), this.proxy.get("/nowhere"),
				this.proxy.send("POST", "/attendees/att_1/chats", "Authorization", "Bearer " + this.token));

		assertThat(responses).extracting(HttpResponse::statusCode).containsExactly(400, 400, 401, 401, 403, 401, 405);
		assertDocumented(responses.toArray(HttpResponse[]::new));
	}

	@Test
	void postpressFailuresAreAsDocumented() {
		List<HttpResponse<String>> responses = new ArrayList<>();
		for (int status : new int[] { 404, 429, 500, 502, 503, 504 }) {
			String attendee = "att_" + status;
			postpress.stubFor(Postpress.chats(attendee)
				.willReturn((status == 502) ? okForContentType("application/json", "{\"not\":\"a page\"}")
						: Postpress.error(status, "errors/upstream_" + status).withHeader("Retry-After", "1")));
			// each failure on a closed breaker, so that each answer is postpress' own
			this.circuitBreakers.circuitBreaker("postpress").reset();
			responses.add(get("/attendees/" + attendee + "/chats"));
		}
		this.circuitBreakers.circuitBreaker("postpress").transitionToOpenState();
		responses.add(get("/attendees/att_open/chats"));

		assertThat(responses).extracting(HttpResponse::statusCode).containsExactly(404, 429, 500, 502, 503, 504, 503);
		assertDocumented(responses.toArray(HttpResponse[]::new));
	}

	@Test
	void theValidatorRejectsWhatTheDocumentForbids() {
		assertThat(openApi.validate("ChatList", "{\"object\":\"ChatList\",\"cursor\":null}")).isNotEmpty();
		assertThat(
				openApi.validate("Chat", Postpress.chatJson(1).replace("\"unread_count\":1", "\"unread_count\":\"1\"")))
			.isNotEmpty();
		assertThat(openApi.validate("Problem", "{\"type\":\"errors/x\",\"status\":400}")).isNotEmpty();
		assertThat(openApi.validate("ChatList", Postpress.pageJson(2, null))).isEmpty();
	}

	private HttpResponse<String> get(String path, String... headers) {
		String[] all = new String[headers.length + 2];
		all[0] = "Authorization";
		all[1] = "Bearer " + this.token;
		System.arraycopy(headers, 0, all, 2, headers.length);
		// a later Authorization replaces the default one
		for (int i = 2; i < all.length; i += 2) {
			if (all[i].equals("Authorization")) {
				all[1] = all[i + 1];
			}
		}
		return this.proxy.get(path, all);
	}

	@SafeVarargs
	private static void assertDocumented(HttpResponse<String>... responses) {
		for (HttpResponse<String> response : responses) {
			assertThat(openApi.violations(response))
				.as("%s %s: %s", response.request().uri(), response.statusCode(), response.body())
				.isEmpty();
		}
	}

}
