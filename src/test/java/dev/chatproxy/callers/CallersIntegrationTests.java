package dev.chatproxy.callers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.TreeMap;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.chatproxy.support.EventStreamClient;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.ProblemAssertions;
import dev.chatproxy.support.ProxyClient;
import dev.chatproxy.support.ProxyIntegrationTest;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.micrometer.tracing.test.autoconfigure.AutoConfigureTracing;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.web.servlet.DelegatingFilterProxyRegistrationBean;
import org.springframework.context.ApplicationContext;
import org.springframework.core.io.ClassPathResource;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.web.FilterChainProxy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.NestedTestConfiguration;
import org.springframework.test.context.TestPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.okForContentType;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Section 12 with bearer JWTs turned on: real tokens signed with a key made here, its
 * JWKS served over HTTP, and postpress faked over HTTP.
 */
@ProxyIntegrationTest
@TestPropertySource(properties = { "spring.security.oauth2.resourceserver.jwt.issuer-uri=" + Tokens.ISSUER,
		"proxy.security.audience=" + Tokens.AUDIENCE })
@ExtendWith(OutputCaptureExtension.class)
class CallersIntegrationTests {

	private static final Tokens tokens = new Tokens();

	private static final JsonMapper json = JsonMapper.builder().build();

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

	@BeforeEach
	void setUp() {
		issuer.stubFor(WireMock.get("/jwks.json").willReturn(WireMock.okJson(tokens.jwks())));
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(2, null)));
	}

	@Test
	void servesACallerWithAValidTokenAndNarrowsItToItsAccounts() {
		HttpResponse<String> response = get("/attendees/att_1/chats", tokens.valid("acc_2", "acc_1"));

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(postpress.getAllServeEvents()).singleElement()
			.satisfies((event) -> assertThat(event.getRequest().queryParameter("account_id").firstValue())
				.isEqualTo("acc_1,acc_2"));
		assertThat(postpress.getAllServeEvents().get(0).getRequest().containsHeader("Authorization")).isFalse();
	}

	@Test
	void aNarrowedRequestSharesTheCacheEntryOfTheExplicitOne() {
		String token = tokens.valid("acc_1", "acc_2");

		HttpResponse<String> narrowed = get("/attendees/att_1/chats", token);
		HttpResponse<String> explicit = get("/attendees/att_1/chats?account_id=acc_2,acc_1", token);

		assertThat(narrowed.headers().firstValue("Cache-Status")).hasValue("chat-proxy; fwd=uri-miss; stored");
		assertThat(explicit.headers().firstValue("Cache-Status"))
			.hasValueSatisfying((status) -> assertThat(status).startsWith("chat-proxy; hit"));
		assertThat(explicit.body()).isEqualTo(narrowed.body());
		postpress.verify(1, anyRequestedFor(anyUrl()));
	}

	@Test
	void servesAnExplicitSubsetOfTheGrantedAccounts() {
		HttpResponse<String> response = get("/attendees/att_1/chats?account_id=acc_2", tokens.valid("acc_1", "acc_2"));

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(postpress.getAllServeEvents().get(0).getRequest().queryParameter("account_id").firstValue())
			.isEqualTo("acc_2");
	}

	@Test
	void refusesAnAccountOutsideTheTokenWithoutCallingPostpress() {
		HttpResponse<String> response = get("/attendees/att_1/chats?account_id=acc_1,acc_3",
				tokens.valid("acc_1", "acc_2"));

		assertProblem(response, 403, "errors/insufficient_permissions");
		postpress.verify(0, anyRequestedFor(anyUrl()));
	}

	@Test
	void refusesATokenWithoutTheAccountsClaim() {
		HttpResponse<String> response = get("/attendees/att_1/chats",
				tokens.with((claims) -> claims.claim("postpress_accounts", null)));

		assertProblem(response, 403, "errors/insufficient_permissions");
		postpress.verify(0, anyRequestedFor(anyUrl()));
	}

	@Test
	void refusesATokenThatGrantsNoAccount() {
		HttpResponse<String> response = get("/attendees/att_1/chats",
				tokens.with((claims) -> claims.claim("postpress_accounts", List.of())));

		assertProblem(response, 403, "errors/insufficient_permissions");
		postpress.verify(0, anyRequestedFor(anyUrl()));
	}

	@Test
	void aCachedPageIsRefusedToAnonymousCallersAndNeverServedToAnotherAccountsCaller() {
		// the page of acc_1, cached: every refusal below happens with it in the cache
		String cached = Postpress.pageJson(3, "acc_1_only");
		postpress.stubFor(Postpress.chats()
			.withQueryParam("account_id", WireMock.equalTo("acc_1"))
			.atPriority(1)
			.willReturn(Postpress.page(3, "acc_1_only")));
		String owner = tokens.valid("acc_1");
		assertThat(get("/attendees/att_1/chats", owner).headers().firstValue("Cache-Status"))
			.hasValue("chat-proxy; fwd=uri-miss; stored");
		HttpResponse<String> hit = get("/attendees/att_1/chats?account_id=acc_1", owner);
		assertThat(hit.body()).isEqualTo(cached);
		assertThat(hit.headers().firstValue("Cache-Status"))
			.hasValueSatisfying((status) -> assertThat(status).startsWith("chat-proxy; hit"));
		String stranger = tokens.valid("acc_2");

		// through the cached-hit filter's fast path
		// (no Accept), and Spring MVC's (an Accept it leaves to MVC's negotiation)
		for (String[] accept : List.of(new String[0], new String[] { "Accept", "application/json, */*;q=0.5" })) {
			for (String path : List.of("/attendees/att_1/chats", "/attendees/att_1/chats?account_id=acc_1")) {
				HttpResponse<String> anonymous = this.proxy.get(path, headers(accept));
				assertProblem(anonymous, 401, "errors/missing_credentials");
				HttpResponse<String> forged = this.proxy.get(path,
						headers(accept, "Authorization", "Bearer " + tokens.signedByStranger()));
				assertProblem(forged, 401, "errors/invalid_credentials");
			}
			HttpResponse<String> otherAccountAsked = this.proxy.get("/attendees/att_1/chats?account_id=acc_1",
					headers(accept, "Authorization", "Bearer " + stranger));
			assertProblem(otherAccountAsked, 403, "errors/insufficient_permissions");
			HttpResponse<String> narrowedToItsOwn = this.proxy.get("/attendees/att_1/chats",
					headers(accept, "Authorization", "Bearer " + stranger));
			assertThat(narrowedToItsOwn.statusCode()).isEqualTo(200);
			assertThat(narrowedToItsOwn.body()).isNotEqualTo(cached);
		}
		// postpress saw acc_1 once (the page cached) and acc_2 once (its own page, then a
		// hit): nobody else reached it, and nobody else was answered acc_1's page
		assertThat(postpress.getAllServeEvents())
			.map((event) -> event.getRequest().queryParameter("account_id").firstValue())
			.containsExactlyInAnyOrder("acc_1", "acc_2");
	}

	@Test
	void asksForCredentialsWhenNoTokenIsSent() {
		HttpResponse<String> response = this.proxy.get("/attendees/att_1/chats");

		assertProblem(response, 401, "errors/missing_credentials");
		assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
		postpress.verify(0, anyRequestedFor(anyUrl()));
	}

	@Test
	void refusesAnExpiredToken() {
		Instant past = Instant.now().minusSeconds(3600);
		assertInvalid(tokens.with((claims) -> claims.issueTime(Date.from(past.minusSeconds(600)))
			.notBeforeTime(Date.from(past.minusSeconds(600)))
			.expirationTime(Date.from(past))));
	}

	@Test
	void refusesATokenNotYetValid() {
		assertInvalid(tokens.with((claims) -> claims.notBeforeTime(Date.from(Instant.now().plusSeconds(3600)))));
	}

	@Test
	void refusesATokenSignedWithAnotherKey() {
		assertInvalid(tokens.signedByStranger());
	}

	@Test
	void refusesATamperedToken() {
		String[] parts = tokens.valid("acc_1").split("\\.");
		String widened = java.util.Base64.getUrlEncoder()
			.withoutPadding()
			.encodeToString(new String(java.util.Base64.getUrlDecoder().decode(parts[1]))
				.replace("\"acc_1\"", "\"acc_1\",\"acc_9\"")
				.getBytes());
		assertInvalid(parts[0] + "." + widened + "." + parts[2]);
	}

	@Test
	void refusesATokenForAnotherAudience() {
		assertInvalid(tokens.with((claims) -> claims.audience("another-service")));
	}

	@Test
	void refusesATokenFromAnotherIssuer() {
		assertInvalid(tokens.with((claims) -> claims.issuer("https://elsewhere.example.test")));
	}

	@Test
	void refusesSomethingThatIsNotAJwt() {
		assertInvalid("not-a-jwt");
	}

	@Test
	void neverLogsTheToken(CapturedOutput output) {
		String token = tokens.valid("acc_1");
		get("/attendees/att_1/chats", token);
		String expired = tokens.with((claims) -> claims.expirationTime(Date.from(Instant.now().minusSeconds(60))));
		get("/attendees/att_1/chats", expired);

		assertThat(output.getAll()).doesNotContain(token.split("\\.")[1]).doesNotContain(expired.split("\\.")[1]);
	}

	@Test
	void answersCorsPreflightsWithoutAToken() {
		HttpResponse<String> response = this.proxy.send("OPTIONS", "/attendees/att_1/chats", "Origin",
				"https://app.example.com", "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers",
				"authorization");

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example.com");
		assertThat(response.headers().firstValue("Access-Control-Allow-Headers"))
			.hasValueSatisfying((headers) -> assertThat(headers.toLowerCase()).contains("authorization"));
	}

	@Test
	void letsABrowserReadTheRefusalOfAMissingToken() {
		HttpResponse<String> response = this.proxy.get("/attendees/att_1/chats", "Origin", "https://app.example.com");

		assertThat(response.statusCode()).isEqualTo(401);
		assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example.com");
	}

	@Test
	void answersABrowserHitWithATokenExactlyAsSpringMvcDoes() {
		String[] headers = { "Authorization", "Bearer " + tokens.valid("acc_1"), "Origin",
				ProxyIntegrationTest.ALLOWED_ORIGIN };
		String[] viaSpringMvc = { headers[0], headers[1], headers[2], headers[3], "Accept",
				"application/json, */*;q=0.5" };
		assertThat(this.proxy.get("/attendees/att_1/chats", headers).headers().firstValue("Cache-Status"))
			.hasValue("chat-proxy; fwd=uri-miss; stored");

		HttpResponse<String> filtered = this.proxy.get("/attendees/att_1/chats", headers);
		HttpResponse<String> dispatched = this.proxy.get("/attendees/att_1/chats", viaSpringMvc);

		assertThat(filtered.statusCode()).isEqualTo(dispatched.statusCode()).isEqualTo(200);
		assertThat(filtered.body()).isEqualTo(dispatched.body());
		Map<String, List<String>> comparable = new TreeMap<>(filtered.headers().map());
		Map<String, List<String>> comparableDispatched = new TreeMap<>(dispatched.headers().map());
		for (String differs : List.of("date", "x-request-id")) {
			comparable.remove(differs);
			comparableDispatched.remove(differs);
		}
		assertThat(comparable).isEqualTo(comparableDispatched)
			.containsEntry("cache-status", List.of("chat-proxy; hit; ttl=30"))
			.containsEntry("access-control-allow-origin", List.of(ProxyIntegrationTest.ALLOWED_ORIGIN))
			.containsEntry("vary",
					List.of("Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"));
		postpress.verify(1, anyRequestedFor(anyUrl()));
	}

	@Test
	void leavesTheManagementPortOpen() {
		ProxyClient management = this.proxy.management();

		assertThat(management.get("/actuator/health/readiness").statusCode()).isEqualTo(200);
		assertThat(management.get("/actuator/info").statusCode()).isEqualTo(200);
		assertThat(management.get("/actuator/caches").statusCode()).isEqualTo(200);
	}

	@Test
	void eventStreamNeedsTheTokenAndCarriesOnlyTheEventsOfItsAccounts() {
		assertProblem(this.proxy.get("/attendees/att_s/chats/events"), 401, "errors/missing_credentials");
		assertThat(this.proxy
			.get("/attendees/att_s/chats/events?account_id=acc_2", "Authorization", "Bearer " + tokens.valid("acc_1"))
			.statusCode()).isEqualTo(403);
		try (EventStreamClient first = EventStreamClient.open(this.proxy.port(), "/attendees/att_s/chats/events",
				"Authorization", "Bearer " + tokens.valid("acc_1"));
				EventStreamClient second = EventStreamClient.open(this.proxy.port(), "/attendees/att_s/chats/events",
						"Authorization", "Bearer " + tokens.valid("acc_2"))) {
			assertThat(first.status()).isEqualTo(200);

			invalidate("att_s", "acc_2");
			assertThat(second.awaitEvents(1).get(0).data()).contains("\"account_id\":\"acc_2\"");
			invalidate("att_s", "acc_1");

			assertThat(first.awaitEvents(1)).singleElement()
				.satisfies((event) -> assertThat(event.data()).contains("\"account_id\":\"acc_1\""));
		}
	}

	@Test
	void eventStreamEndsWhenItsTokenExpires() {
		String shortLived = tokens.with((claims) -> claims.expirationTime(Date.from(Instant.now().plusSeconds(2))));
		try (EventStreamClient stream = EventStreamClient.open(this.proxy.port(), "/attendees/att_s/chats/events",
				"Authorization", "Bearer " + shortLived)) {
			assertThat(stream.status()).isEqualTo(200);

			await().atMost(Duration.ofSeconds(20)).until(stream::ended);
		}
	}

	private void invalidate(String attendeeId, String accountId) {
		HttpResponse<String> response = this.proxy.management()
			.post("/actuator/invalidations",
					HttpRequest.BodyPublishers
						.ofString("{\"attendee_id\":\"" + attendeeId + "\",\"account_id\":\"" + accountId + "\"}"),
					"Content-Type", "application/json");
		assertThat(response.statusCode()).isEqualTo(200);
	}

	private HttpResponse<String> get(String path, String token) {
		return this.proxy.get(path, "Authorization", "Bearer " + token, "X-Request-Id", "req-callers-1");
	}

	/** The request id {@code assertProblem} expects, the given headers and more. */
	private static String[] headers(String[] first, String... more) {
		List<String> all = new ArrayList<>(List.of("X-Request-Id", "req-callers-1"));
		all.addAll(List.of(first));
		all.addAll(List.of(more));
		return all.toArray(String[]::new);
	}

	private void assertInvalid(String token) {
		HttpResponse<String> response = get("/attendees/att_1/chats", token);

		assertProblem(response, 401, "errors/invalid_credentials");
		assertThat(response.headers().firstValue("WWW-Authenticate"))
			.hasValueSatisfying((header) -> assertThat(header).startsWith("Bearer"));
		postpress.verify(0, anyRequestedFor(anyUrl()));
	}

	private static void assertProblem(HttpResponse<String> response, int status, String type) {
		JsonNode body = ProblemAssertions.assertProblem(response, status, type);
		assertThat(body.path("detail").asString()).isNotBlank();
	}

	/**
	 * The OpenAPI document is true: real answers of the running proxy, successes and
	 * every kind of error, with bearer JWTs on, each validate against it.
	 */
	@Nested
	class AnswersTheOpenApiDocumentDescribes {

		private static final OpenApiDocument openApi = new OpenApiDocument();

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
					"cursor":"eyJvIjoxMDB9","new_top_level":true}"""
				.formatted(Postpress.chatJson(1));
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

			assertThat(responses).extracting(HttpResponse::statusCode)
				.containsExactly(400, 400, 401, 401, 403, 401, 405);
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

			assertThat(responses).extracting(HttpResponse::statusCode)
				.containsExactly(404, 429, 500, 502, 503, 504, 503);
			assertDocumented(responses.toArray(HttpResponse[]::new));
		}

		@Test
		void theValidatorRejectsWhatTheDocumentForbids() {
			assertThat(openApi.validate("ChatList", "{\"object\":\"ChatList\",\"cursor\":null}")).isNotEmpty();
			assertThat(openApi.validate("Chat",
					Postpress.chatJson(1).replace("\"unread_count\":1", "\"unread_count\":\"1\"")))
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

	/**
	 * Section 12 left off, the default: Spring Security is on the classpath, yet builds
	 * nothing, and callers see the proxy exactly as without it.
	 */
	@Nested
	@NestedTestConfiguration(NestedTestConfiguration.EnclosingConfiguration.OVERRIDE)
	@ProxyIntegrationTest
	class WithCallersLeftOff {

		@Autowired
		ProxyClient proxy;

		@Autowired
		ApplicationContext context;

		@BeforeEach
		void setUp() {
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

	/**
	 * CORS as a browser enforces it: Debian's headless Chromium, driven by
	 * playwright-core, opens a page served from another origin that lists chats through
	 * the generated TypeScript client ({@code clients/browser-test}), the page's trace
	 * context included.
	 */
	@Nested
	@NestedTestConfiguration(NestedTestConfiguration.EnclosingConfiguration.OVERRIDE)
	@ProxyIntegrationTest
	@AutoConfigureTracing
	class InABrowserAcrossOrigins {

		private static final Path CLIENTS = Path.of("clients");

		private static final String WEBHOOK_SECRET = "whsec_browser_0123456789";

		private static final int allowedPagePort = freePort();

		@DynamicPropertySource
		static void properties(DynamicPropertyRegistry registry) {
			registry.add("proxy.cors.allowed-origins", () -> "http://127.0.0.1:" + allowedPagePort);
			registry.add("proxy.webhook.secret", () -> WEBHOOK_SECRET);
		}

		@BeforeAll
		static void browserAndClient() throws Exception {
			boolean ready = Files.isExecutable(Path.of("/usr/bin/chromium"))
					&& Files.isDirectory(CLIENTS.resolve("node_modules/playwright-core"));
			if (!ready) {
				// CI must run it; elsewhere it needs `apt-get install chromium` and `npm
				// ci`
				assertThat("true".equals(System.getenv("CI")))
					.as("CI without /usr/bin/chromium or clients/node_modules")
					.isFalse();
				Assumptions.abort("needs /usr/bin/chromium and `npm ci` in clients/");
			}
			assertThat(run(List.of("node", "node_modules/typescript/bin/tsc", "-p", "typescript"))).isZero();
		}

		@Autowired
		ProxyClient proxy;

		@Test
		void listsChatsFromAnAllowedOrigin() throws Exception {
			postpress.stubFor(Postpress.chats().willReturn(Postpress.page(3, null)));

			JsonNode page = openPage(allowedPagePort, "loaded", "target/browser/cors-allowed-origin.png");

			assertThat(page.path("status").asString()).isEqualTo("loaded 3 chats (chat-proxy; fwd=uri-miss; stored)");
			assertThat(page.path("chats")).hasSize(3);
			assertThat(page.path("chats").get(0).asString()).isEqualTo("Contact 0 · LINKEDIN · 0 unread");
			assertThat(Path.of("target/browser/cors-allowed-origin.png")).isNotEmptyFile();
		}

		@Test
		void showsALiveUpdateAndReReadsTheListFromTheCache() throws Exception {
			postpress.stubFor(Postpress.chats().willReturn(Postpress.page(3, null)));
			String webhook = """
					{"event": "message_received", "account_id": "acc_1", "chat_id": "chat_0",
					 "sender": {"attendee_id": "att_2"}, "attendees": [{"attendee_id": "att_1"}]}""";

			JsonNode page = openPage(allowedPagePort, "loaded", "target/browser/live-update.png", "--webhook-secret",
					WEBHOOK_SECRET, "--webhook-body", webhook);

			assertThat(page.path("status").asString()).isEqualTo("loaded 3 chats (chat-proxy; fwd=uri-miss; stored)");
			assertThat(page.path("live").asString())
				.isEqualTo("chats-changed message_received chat_0, re-read: chat-proxy; hit; ttl=30");
		}

		@Test
		void isBlockedByTheBrowserFromAnOriginNotListed() throws Exception {
			postpress.stubFor(Postpress.chats().willReturn(Postpress.page(3, null)));

			JsonNode page = openPage(freePort(), "failed", "target/browser/cors-other-origin.png");

			assertThat(page.path("status").asString()).startsWith("failed: ");
			assertThat(page.path("chats")).isEmpty();
			assertThat(page.path("console").toString()).contains("CORS");
		}

		@Test
		void continuesTheTraceOfThePageUpToPostpress() throws Exception {
			postpress.stubFor(Postpress.chats().willReturn(Postpress.page(3, null)));
			String traceId = "0af7651916cd43dd8448eb211c80319c";

			JsonNode page = openPage(allowedPagePort, "loaded", "target/browser/cors-traceparent.png", "--traceparent",
					"00-" + traceId + "-b7ad6b7169203331-01");

			assertThat(page.path("status").asString()).startsWith("loaded 3 chats");
			// the preflight allowed the header, and the proxy passed the trace on
			assertThat(postpress.findAll(WireMock.anyRequestedFor(WireMock.anyUrl()))).singleElement()
				.satisfies((call) -> assertThat(call.getHeader("traceparent")).startsWith("00-" + traceId + "-"));
		}

		private JsonNode openPage(int pagePort, String expected, String screenshot, String... more) throws Exception {
			List<String> output = new ArrayList<>();
			List<String> command = new ArrayList<>(
					List.of("node", "browser-test/run.mjs", "--proxy", "http://127.0.0.1:" + this.proxy.port(),
							"--attendee", "att_1", "--page-port", Integer.toString(pagePort), "--expect", expected,
							"--screenshot", Path.of(screenshot).toAbsolutePath().toString()));
			command.addAll(List.of(more));
			int exit = run(command, output);
			assertThat(exit).as(String.join("\n", output)).isZero();
			return json.readTree(output.get(output.size() - 1));
		}

		private static int run(List<String> command) throws Exception {
			return run(command, new ArrayList<>());
		}

		private static int run(List<String> command, List<String> output) throws Exception {
			Path log = Files.createTempFile("browser-test", ".log");
			Process process = new ProcessBuilder(command).directory(CLIENTS.toFile())
				.redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			try {
				if (!process.waitFor(90, TimeUnit.SECONDS)) {
					output.add("timed out: " + command);
					return -1;
				}
				return process.exitValue();
			}
			finally {
				process.descendants().forEach(ProcessHandle::destroy);
				process.destroy();
				output.addAll(Files.readAllLines(log, StandardCharsets.UTF_8));
				Files.delete(log);
			}
		}

		private static int freePort() {
			try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
				return socket.getLocalPort();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

	}

}
