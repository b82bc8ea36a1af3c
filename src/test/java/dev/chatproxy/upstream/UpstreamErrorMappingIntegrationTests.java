package dev.chatproxy.upstream;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.ProblemAssertions;
import dev.chatproxy.support.ProxyClient;
import dev.chatproxy.support.ProxyIntegrationTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every error type of the seed's API page, and answers that are not postpress' at all,
 * reach the caller as CONTRACT.md section 5 says.
 */
@ProxyIntegrationTest
@TestPropertySource(properties = "postpress.max-response-size=64KB")
class UpstreamErrorMappingIntegrationTests {

	/** The 401 types that mean the proxy's own key is wrong. */
	private static final Set<String> OWN_CREDENTIAL_TYPES = Set.of("errors/missing_credentials",
			"errors/invalid_credentials", "errors/insufficient_privileges");

	private static final WireMockServer postpress = Postpress.server();

	@Autowired
	ProxyClient proxy;

	/**
	 * Every error type of postpress' API page (a copy of the seed, in
	 * {@code src/test/resources/seed}), with the status it is listed under.
	 */
	static Stream<Arguments> seedErrorTypes() {
		return SeedErrorTypes.read().stream().map((type) -> Arguments.of(type.status(), type.type()));
	}

	@Test
	void readsEveryErrorTypeTheSeedAnnouncesForEachStatus() {
		List<SeedErrorTypes.ErrorType> types = SeedErrorTypes.read();
		Map<Integer, Long> perStatus = types.stream()
			.collect(Collectors.groupingBy(SeedErrorTypes.ErrorType::status, Collectors.counting()));
		assertThat(perStatus).isEqualTo(SeedErrorTypes.announcedCounts());
		assertThat(perStatus.keySet()).containsExactlyInAnyOrder(401, 403, 404, 500, 503, 504);
		assertThat(types).extracting(SeedErrorTypes.ErrorType::type).doesNotHaveDuplicates();
	}

	@ParameterizedTest(name = "{0} {1}")
	@MethodSource("seedErrorTypes")
	void mapsEachSeedErrorType(int upstreamStatus, String type) {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.error(upstreamStatus, type)));
		HttpResponse<String> response = this.proxy.get("/attendees/ACoA-map/chats");

		int expectedStatus = OWN_CREDENTIAL_TYPES.contains(type) ? 502 : upstreamStatus;
		JsonNode body = ProblemAssertions.assertProblem(response, expectedStatus, type, postpress.port());
		assertThat(body.path("title").asString()).isEqualTo("Title of " + type);
		assertThat(body.path("detail").asString()).isEqualTo("Detail of " + type);
		int attempts = (upstreamStatus >= 500) ? 3 : 1;
		assertThat(upstreamCalls()).isEqualTo(attempts);
		postpress.verify(attempts,
				getRequestedFor(urlPathMatching(".*")).withHeader("X-API-KEY", equalTo(Postpress.API_KEY)));
	}

	static Stream<Arguments> nonEnvelopeAnswers() {
		return Stream.of(
				Arguments.of("HTML 502",
						WireMock.aResponse()
							.withStatus(502)
							.withHeader("Content-Type", "text/html")
							.withBody("<html><body><h1>502 Bad Gateway</h1>nginx</body></html>")),
				Arguments.of("200 with HTML",
						WireMock.okForContentType("text/html", "<html><body>Maintenance</body></html>")),
				Arguments.of("200 with truncated JSON",
						WireMock.okForContentType("application/json", "{\"object\":\"ChatList\",\"items\":[")),
				Arguments.of("200 with an empty body", WireMock.aResponse().withStatus(200)),
				Arguments.of("200 with JSON that is not a ChatList",
						WireMock.okJson("{\"object\":\"Account\",\"id\":\"acc_1\"}")),
				Arguments.of("200 with a ChatList whose items are not chats",
						WireMock.okJson("{\"object\":\"ChatList\",\"items\":[{\"foo\":1}],\"cursor\":null}")),
				Arguments.of("404 without an envelope", WireMock.notFound().withBody("Not Found")),
				Arguments.of("418", WireMock.aResponse().withStatus(418)));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("nonEnvelopeAnswers")
	void answersBadUpstreamResponseToAnythingButAnEnvelopeOrAPage(String name, ResponseDefinitionBuilder answer) {
		postpress.stubFor(Postpress.chats().willReturn(answer));
		HttpResponse<String> response = this.proxy.get("/attendees/ACoA-bad/chats");
		ProblemAssertions.assertProblem(response, 502, "errors/bad_upstream_response", postpress.port());
		assertThat(response.body()).doesNotContain("nginx").doesNotContain("Maintenance");
		assertThat(upstreamCalls()).isEqualTo(1);
	}

	@ParameterizedTest
	@EnumSource(value = Fault.class, names = { "MALFORMED_RESPONSE_CHUNK", "RANDOM_DATA_THEN_CLOSE" })
	void answersABrokenAnswerAsNetworkDownAfterRetries(Fault fault) {
		postpress.stubFor(Postpress.chats().willReturn(WireMock.aResponse().withFault(fault)));
		HttpResponse<String> response = this.proxy.get("/attendees/ACoA-broken/chats");
		System.out
			.println(fault + " -> " + response.statusCode() + " " + response.body() + " calls " + upstreamCalls());
		ProblemAssertions.assertProblem(response, 503, "errors/network_down", postpress.port());
		assertThat(upstreamCalls()).isEqualTo(3);
	}

	@Test
	void answersBadUpstreamResponseToAPageAboveTheSizeLimit() {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(250, null)));
		HttpResponse<String> response = this.proxy.get("/attendees/ACoA-huge/chats?limit=250");
		ProblemAssertions.assertProblem(response, 502, "errors/bad_upstream_response", postpress.port());
		assertThat(upstreamCalls()).isEqualTo(1);
	}

	@Test
	void redactsTheApiKeyWhenPostpressEchoesIt() {
		postpress.stubFor(Postpress.chats()
			.willReturn(WireMock.aResponse()
				.withStatus(403)
				.withHeader("Content-Type", "application/json")
				.withBody("{\"type\":\"errors/insufficient_permissions\",\"title\":\"Key " + Postpress.API_KEY
						+ " may not\",\"status\":403,\"detail\":\"The key " + Postpress.API_KEY
						+ " lacks a scope\"}")));
		HttpResponse<String> response = this.proxy.get("/attendees/ACoA-echo/chats");
		JsonNode body = ProblemAssertions.assertProblem(response, 403, "errors/insufficient_permissions",
				postpress.port());
		assertThat(body.path("detail").asString()).contains("lacks a scope");
	}

	@Test
	void keepsAnUnlistedErrorTypeOfAListedStatus() {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.error(403, "errors/brand_new_restriction")));
		HttpResponse<String> response = this.proxy.get("/attendees/ACoA-new/chats");
		ProblemAssertions.assertProblem(response, 403, "errors/brand_new_restriction", postpress.port());
	}

	private static int upstreamCalls() {
		return postpress.countRequestsMatching(getRequestedFor(urlPathMatching(".*")).build()).getCount();
	}

}
