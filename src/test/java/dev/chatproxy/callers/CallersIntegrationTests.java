package dev.chatproxy.callers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.chatproxy.support.EventStreamClient;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.ProxyIntegrationTest;
import dev.chatproxy.support.ProxyClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
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

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	ProxyClient proxy;

	@BeforeEach
	void setUp() {
		this.proxy = new ProxyClient(this.port);
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
		ProxyClient management = new ProxyClient(this.managementPort);

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
		try (EventStreamClient first = EventStreamClient.open(this.port, "/attendees/att_s/chats/events",
				"Authorization", "Bearer " + tokens.valid("acc_1"));
				EventStreamClient second = EventStreamClient.open(this.port, "/attendees/att_s/chats/events",
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
		try (EventStreamClient stream = EventStreamClient.open(this.port, "/attendees/att_s/chats/events",
				"Authorization", "Bearer " + shortLived)) {
			assertThat(stream.status()).isEqualTo(200);

			await().atMost(Duration.ofSeconds(20)).until(stream::ended);
		}
	}

	private void invalidate(String attendeeId, String accountId) {
		HttpRequest request = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + this.managementPort + "/actuator/invalidations"))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers
				.ofString("{\"attendee_id\":\"" + attendeeId + "\",\"account_id\":\"" + accountId + "\"}"))
			.build();
		try {
			assertThat(HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).statusCode())
				.isEqualTo(200);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private HttpResponse<String> get(String path, String token) {
		return this.proxy.get(path, "Authorization", "Bearer " + token, "X-Request-Id", "req-callers-1");
	}

	/** The request id {@code assertProblem} expects, the given headers and more. */
	private static String[] headers(String[] first, String... more) {
		List<String> all = new java.util.ArrayList<>(List.of("X-Request-Id", "req-callers-1"));
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
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		JsonNode body = json.readTree(response.body());
		assertThat(body.path("type").asString()).isEqualTo(type);
		assertThat(body.path("status").asInt()).isEqualTo(status);
		assertThat(body.path("title").asString()).isNotBlank();
		assertThat(body.path("detail").asString()).isNotBlank();
		assertThat(body.path("instance").asString()).isEqualTo(response.headers().firstValue("X-Request-Id").get());
	}

}
