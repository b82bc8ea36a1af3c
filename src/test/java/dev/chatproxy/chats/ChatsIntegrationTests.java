package dev.chatproxy.chats;

import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.chatproxy.support.HostileInputs;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.PrometheusScrape;
import dev.chatproxy.support.ProxyClient;
import dev.chatproxy.support.ProxyIntegrationTest;
import dev.chatproxy.support.RawHttp;
import dev.chatproxy.support.UpstreamGate;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import jakarta.servlet.FilterChain;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.context.TestPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.okForContentType;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The request path end to end: what reaches postpress, and what the caller gets back.
 */
@ProxyIntegrationTest
class ChatsIntegrationTests {

	private static final WireMockServer postpress = Postpress.server();

	@Autowired
	ProxyClient proxy;

	@Test
	void forwardsEveryParameterWithTheKeyAndNothingTheCallerSent() {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(1, null)));

		HttpResponse<String> response = this.proxy
			.get("/attendees/att_2,ACoAACr-1eYBl,33612345678@s.whatsapp.net/chats?cursor=eyJvIjoxMDB9%2B%2F%3D"
					+ "&before=2026-05-16T18:24:11.000Z&after=2026-01-01T00:00:00.000Z&limit=25&account_id=acc_2,acc_1",
					"X-API-KEY", "callers-own-key", "Authorization", "Bearer caller", "Cookie", "session=caller",
					"X-Custom", "caller", "X-Request-Id", "req-forwarded-1");

		assertThat(response.statusCode()).isEqualTo(200);
		LoggedRequest request = onlyUpstreamRequest();
		assertThat(request.getUrl())
			.startsWith("/api/v1/chat_attendees/33612345678%40s.whatsapp.net%2CACoAACr-1eYBl%2Catt_2/chats?");
		assertThat(request.queryParameter("cursor").firstValue()).isEqualTo("eyJvIjoxMDB9+/=");
		assertThat(request.queryParameter("before").firstValue()).isEqualTo("2026-05-16T18:24:11.000Z");
		assertThat(request.queryParameter("after").firstValue()).isEqualTo("2026-01-01T00:00:00.000Z");
		assertThat(request.queryParameter("limit").firstValue()).isEqualTo("25");
		assertThat(request.queryParameter("account_id").firstValue()).isEqualTo("acc_1,acc_2");
		assertThat(request.getHeader("X-API-KEY")).isEqualTo(Postpress.API_KEY);
		assertThat(request.getHeaders().getHeader("X-API-KEY").values()).hasSize(1);
		assertThat(request.getHeader("Accept")).isEqualTo("application/json");
		assertThat(request.getHeader("User-Agent")).startsWith("chat-proxy/");
		assertThat(request.getHeader("X-Request-Id")).isEqualTo("req-forwarded-1");
		assertThat(request.containsHeader("Authorization")).isFalse();
		assertThat(request.containsHeader("Cookie")).isFalse();
		assertThat(request.containsHeader("X-Custom")).isFalse();
	}

	@Test
	void fillsInTheDefaultLimitAndSendsNoAbsentParameter() {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(1, null)));

		assertThat(this.proxy.get("/attendees/att_1/chats").statusCode()).isEqualTo(200);

		assertThat(onlyUpstreamRequest().getUrl()).isEqualTo("/api/v1/chat_attendees/att_1/chats?limit=100");
	}

	@Test
	void servesThePageExactlyAsPostpressSentItIncludingUnknownFieldsAndValues() {
		String body = """
				{"object":"ChatList","items":[{"object":"Chat","id":"c1","account_id":"a1",\
				"account_type":"MASTODON","provider_id":"p1","name":null,"type":0,"timestamp":null,"unread_count":2,\
				"archived":0,"muted_until":-1,"read_only":0,"pinned":1,"brand_new_field":{"nested":[1,2]},\
				"disabledFeatures":["reactions"],"folder":["INBOX","My custom folder"]},\
				{"object":"Chat","id":"c2","account_id":"a1","account_type":"WHATSAPP","provider_id":"p2",\
				"name":"Zoë","type":1,"timestamp":"2026-05-16T18:24:11.000Z","unread_count":0,"archived":1,\
				"muted_until":"2026-12-01T00:00:00.000Z","read_only":2,"pinned":0}],"cursor":null,\
				"new_top_level":true}""";
		postpress.stubFor(Postpress.chats().willReturn(okForContentType("application/json", body)));

		HttpResponse<String> response = this.proxy.get("/attendees/att_1/chats");

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("application/json"));
		assertThat(response.body()).isEqualTo(body);
	}

	@Test
	void servesAPageLargerThanWebClientsDefaultBuffer() {
		String subject = "s".repeat(2000);
		StringBuilder items = new StringBuilder();
		for (int i = 0; i < 250; i++) {
			items.append((i > 0) ? "," : "")
				.append(Postpress.chatJson(i).replace("\"pinned\":0", "\"pinned\":0,\"subject\":\"" + subject + "\""));
		}
		String body = "{\"object\":\"ChatList\",\"items\":[" + items + "],\"cursor\":\"next\"}";
		assertThat(body.length()).isGreaterThan(256 * 1024);
		postpress.stubFor(Postpress.chats().willReturn(okForContentType("application/json", body)));

		HttpResponse<String> response = this.proxy.get("/attendees/att_1/chats?limit=250");

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo(body);
	}

	@ParameterizedTest(name = "{0} is rejected naming {1}")
	@CsvSource(delimiter = '|',
			value = { "/attendees/a%20b/chats|attendee_id", "/attendees/a,,b/chats|attendee_id",
					"/attendees/%3Cscript%3E/chats|attendee_id", "/attendees/a%2Fb/chats|attendee_id",
					"/attendees/a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u/chats|attendee_id",
					"/attendees/a/chats?cursor=|cursor", "/attendees/a/chats?before=2026-05-16|before",
					"/attendees/a/chats?before=2026-05-16T18:24:11Z|before",
					"/attendees/a/chats?after=2026-02-30T00:00:00.000Z|after",
					"/attendees/a/chats?before=2026-01-01T00:00:00.000Z&after=2026-01-01T00:00:00.000Z|after",
					"/attendees/a/chats?before=2026-01-01T00:00:00.000Z&after=2026-06-01T00:00:00.000Z|after",
					"/attendees/a/chats?limit=0|limit", "/attendees/a/chats?limit=251|limit",
					"/attendees/a/chats?limit=ten|limit", "/attendees/a/chats?limit=-5|limit",
					"/attendees/a/chats?limit=|limit", "/attendees/a/chats?account_id=|account_id",
					"/attendees/a/chats?account_id=x;y|account_id", "/attendees/a/chats?accountId=acc_1|accountId",
					"/attendees/a/chats?limit=10&limit=20|limit", "/attendees/a/chats?cursor=a&cursor=b|cursor" })
	void rejectsInvalidInputNamingTheParameterWithoutCallingPostpress(String pathAndQuery, String parameter) {
		HttpResponse<String> response = this.proxy.get(pathAndQuery);

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(response.body()).contains("\"type\":\"errors/invalid_parameters\"")
			.contains("\"status\":400")
			.contains("\"title\":")
			.contains(parameter);
		assertThat(response.body()).contains("\"instance\":\"" + response.headers().firstValue("X-Request-Id").get());
		postpress.verify(0, anyRequestedFor(anyUrl()));
	}

	@Test
	void rejectsTooLongIdsAndCursorsWithoutCallingPostpress() {
		assertThat(this.proxy.get("/attendees/" + "a".repeat(257) + "/chats").body()).contains("attendee_id");
		assertThat(this.proxy.get("/attendees/a/chats?cursor=" + "c".repeat(2049)).body()).contains("cursor");
		assertThat(this.proxy.get("/attendees/a/chats?account_id=" + "acc,".repeat(50) + "acc").body())
			.contains("account_id");
		postpress.verify(0, anyRequestedFor(anyUrl()));
	}

	@Test
	void acceptsTheLongestValidInput() {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(1, null)));
		String ids = String.join(",", java.util.Collections.nCopies(20, "a".repeat(256)));

		HttpResponse<String> response = this.proxy.get("/attendees/" + ids + "/chats?limit=250&cursor="
				+ "c".repeat(2048) + "&account_id=" + "b,".repeat(49) + "b");

		assertThat(response.statusCode()).isEqualTo(200);
	}

	@Test
	void answersUnknownRoutesAndWrongMethodsInTheEnvelope() {
		HttpResponse<String> notFound = this.proxy.get("/attendees/a/messages");
		assertThat(notFound.statusCode()).isEqualTo(404);
		assertThat(notFound.body()).contains("\"type\":\"errors/resource_not_found\"");
		assertThat(this.proxy.get("/actuator/health").statusCode()).isEqualTo(404);

		for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
			HttpResponse<String> response = this.proxy.send(method, "/attendees/a/chats");
			assertThat(response.statusCode()).as(method).isEqualTo(405);
			assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
			assertThat(response.body()).contains("\"type\":\"errors/method_not_allowed\"");
		}
		postpress.verify(0, anyRequestedFor(anyUrl()));
	}

	@Test
	void answersAMalformedRequestInTheEnvelopeNotInHtml() throws IOException {
		try (Socket socket = new Socket("127.0.0.1", this.proxy.port())) {
			socket.setSoTimeout(10_000);
			socket.getOutputStream()
				.write("GET /attendees/a%zz/chats HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
					.getBytes(StandardCharsets.US_ASCII));
			String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

			assertThat(response).startsWith("HTTP/1.1 400")
				.contains("Content-Type: application/problem+json")
				.contains("\"type\":\"errors/invalid_parameters\"")
				.doesNotContainIgnoringCase("<html");
		}
	}

	@Test
	void mirrorsGetForHead() {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(3, null)));

		HttpResponse<String> response = this.proxy.send("HEAD", "/attendees/att_1/chats");

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEmpty();
		assertThat(response.headers().firstValue("ETag")).isPresent();
	}

	@Test
	void echoesASaneRequestIdAndReplacesAnInsaneOne() {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(1, null)));

		HttpResponse<String> sane = this.proxy.get("/attendees/a/chats", "X-Request-Id", "abc-123");
		assertThat(sane.statusCode()).isEqualTo(200);
		assertThat(sane.headers().firstValue("X-Request-Id")).hasValue("abc-123");
		HttpResponse<String> insane = this.proxy.get("/attendees/a/chats", "X-Request-Id", "bad id\t<script>");
		assertThat(insane.statusCode()).isEqualTo(200);
		String replaced = insane.headers().firstValue("X-Request-Id").orElseThrow();
		assertThat(replaced).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
		assertThat(onlyUpstreamRequest().getHeader("X-Request-Id")).isEqualTo("abc-123");
	}

	@Test
	void answersAnAcceptItCannotSatisfyWithNotAcceptable() {
		for (String accept : List.of("application/xml", "text/html")) {
			HttpResponse<String> response = this.proxy.get("/attendees/a/chats", "Accept", accept);

			assertThat(response.statusCode()).as(accept).isEqualTo(406);
			assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
			assertThat(response.body()).contains("\"type\":\"errors/not_acceptable\"");
		}
		postpress.verify(0, anyRequestedFor(anyUrl()));
	}

	@Test
	void servesJsonToCallersThatAcceptIt() {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(1, null)));

		for (String accept : List.of("application/json", "application/*", "*/*", "text/html, application/json;q=0.5")) {
			assertThat(this.proxy.get("/attendees/a/chats", "Accept", accept).statusCode()).as(accept).isEqualTo(200);
		}
	}

	@Test
	void allowsConfiguredBrowserOriginsToReadPagesAndNothingElse() {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(1, null)));

		HttpResponse<String> allowed = this.proxy.get("/attendees/a/chats", "Origin",
				ProxyIntegrationTest.ALLOWED_ORIGIN);
		assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin"))
			.hasValue(ProxyIntegrationTest.ALLOWED_ORIGIN);
		assertThat(allowed.headers().firstValue("Access-Control-Expose-Headers").orElseThrow()).contains("Cache-Status",
				"ETag");

		HttpResponse<String> other = this.proxy.get("/attendees/a/chats", "Origin", "https://evil.example.com");
		assertCorsRejection(other);

		HttpResponse<String> preflight = this.proxy.send("OPTIONS", "/attendees/a/chats", "Origin",
				ProxyIntegrationTest.ALLOWED_ORIGIN, "Access-Control-Request-Method", "DELETE");
		assertCorsRejection(preflight);
		postpress.verify(1, anyRequestedFor(anyUrl()));
	}

	@Test
	void namesTheSameMethodsOnA405AnOptionsAndAPreflight() {
		HttpResponse<String> notAllowed = this.proxy.send("POST", "/attendees/a/chats");
		HttpResponse<String> options = this.proxy.send("OPTIONS", "/attendees/a/chats");
		HttpResponse<String> preflight = this.proxy.send("OPTIONS", "/attendees/a/chats", "Origin",
				ProxyIntegrationTest.ALLOWED_ORIGIN, "Access-Control-Request-Method", "GET");

		assertThat(notAllowed.statusCode()).isEqualTo(405);
		assertThat(options.statusCode()).isEqualTo(200);
		assertThat(preflight.statusCode()).isEqualTo(200);
		assertThat(methods(notAllowed, "Allow")).containsExactly("GET", "HEAD", "OPTIONS");
		assertThat(methods(options, "Allow")).containsExactly("GET", "HEAD", "OPTIONS");
		assertThat(methods(preflight, "Access-Control-Allow-Methods")).containsExactly("GET", "HEAD");
	}

	private static List<String> methods(HttpResponse<String> response, String header) {
		return Arrays.stream(response.headers().firstValue(header).orElse("").split(","))
			.map(String::trim)
			.filter((method) -> !method.isEmpty())
			.sorted()
			.toList();
	}

	private static void assertCorsRejection(HttpResponse<String> response) {
		assertThat(response.statusCode()).isEqualTo(403);
		assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(response.body()).contains("\"type\":\"errors/cors_rejected\"", "\"status\":403")
			.contains("\"instance\":\"" + response.headers().firstValue("X-Request-Id").orElseThrow());
	}

	private static LoggedRequest onlyUpstreamRequest() {
		List<LoggedRequest> requests = postpress.findAll(anyRequestedFor(anyUrl()));
		assertThat(requests).hasSize(1);
		return requests.get(0);
	}

	/**
	 * Cache hits answered by the {@link CachedHitFilter} before Spring MVC: the very
	 * answer Spring MVC gives for the same hit, counted and timed as every request is,
	 * and everything that is not a plain hit left to Spring MVC.
	 */
	@Nested
	class CachedHitsAnsweredBeforeSpringMvc {

		private static final String PAGE = "/attendees/att_1/chats?limit=5";

		/**
		 * An {@code Accept} the filter leaves to Spring MVC's negotiation, which accepts
		 * it.
		 */
		private static final String[] VIA_SPRING_MVC = { "Accept", "application/json, */*;q=0.5" };

		@Autowired
		ProxyClient proxy;

		@Autowired
		FilterRegistrationBean<CachedHitFilter> registration;

		@BeforeEach
		void cacheThePage() {
			postpress.stubFor(Postpress.chats().willReturn(Postpress.page(5, "next")));
			assertThat(this.proxy.get(PAGE).headers().firstValue("Cache-Status"))
				.hasValue("chat-proxy; fwd=uri-miss; stored");
		}

		@Test
		void answersAHitExactlyAsSpringMvcDoes() {
			HttpResponse<String> filtered = this.proxy.get(PAGE);
			HttpResponse<String> dispatched = this.proxy.get(PAGE, VIA_SPRING_MVC);

			assertThat(filtered.statusCode()).isEqualTo(dispatched.statusCode()).isEqualTo(200);
			assertThat(filtered.body()).isEqualTo(dispatched.body()).isEqualTo(Postpress.pageJson(5, "next"));
			assertThat(comparable(filtered)).isEqualTo(comparable(dispatched))
				.containsEntry("cache-status", List.of("chat-proxy; hit; ttl=30"))
				.containsEntry("content-type", List.of("application/json"))
				.containsKeys("etag", "age", "cache-control", "content-length", "vary");
			assertThat(postpress.findAll(anyRequestedFor(anyUrl()))).hasSize(1);
		}

		@Test
		void answersHeadAndConditionalRequestsAsSpringMvcDoes() {
			String etag = this.proxy.get(PAGE).headers().firstValue("ETag").orElseThrow();

			HttpResponse<String> head = this.proxy.send("HEAD", PAGE);
			HttpResponse<String> headDispatched = this.proxy.send("HEAD", PAGE, VIA_SPRING_MVC);
			assertThat(head.statusCode()).isEqualTo(200);
			assertThat(head.body()).isEmpty();
			assertThat(head.headers().firstValue("Content-Length"))
				.hasValue(Integer.toString(Postpress.pageJson(5, "next").length()));
			assertThat(comparable(head)).isEqualTo(comparable(headDispatched));

			HttpResponse<String> notModified = this.proxy.get(PAGE, "If-None-Match", etag);
			HttpResponse<String> notModifiedDispatched = this.proxy.get(PAGE, "If-None-Match", etag, VIA_SPRING_MVC[0],
					VIA_SPRING_MVC[1]);
			assertThat(notModified.statusCode()).isEqualTo(notModifiedDispatched.statusCode()).isEqualTo(304);
			assertThat(notModified.body()).isEmpty();
			assertThat(comparable(notModified)).isEqualTo(comparable(notModifiedDispatched))
				.containsEntry("etag", List.of(etag));
		}

		@Test
		void answersABrowserHitFromAnAllowedOriginExactlyAsSpringMvcDoes() {
			String[] origin = { "Origin", ProxyIntegrationTest.ALLOWED_ORIGIN };
			String etag = this.proxy.get(PAGE).headers().firstValue("ETag").orElseThrow();

			for (String[] headers : List.of(origin, new String[] { origin[0], origin[1], "If-None-Match", etag })) {
				for (String method : List.of("GET", "HEAD")) {
					HttpResponse<String> filtered = this.proxy.send(method, PAGE, headers);
					HttpResponse<String> dispatched = this.proxy.send(method, PAGE, concat(headers, VIA_SPRING_MVC));

					assertThat(filtered.statusCode()).as(method).isEqualTo(dispatched.statusCode());
					assertThat(filtered.body()).as(method).isEqualTo(dispatched.body());
					assertThat(comparable(filtered)).as(method)
						.isEqualTo(comparable(dispatched))
						.containsEntry("access-control-allow-origin", List.of(ProxyIntegrationTest.ALLOWED_ORIGIN))
						.containsEntry("access-control-expose-headers",
								List.of("Cache-Status, ETag, Age, Retry-After, X-Request-Id"))
						.containsKey("vary")
						.doesNotContainKey("access-control-allow-credentials");
				}
			}
			assertThat(postpress.findAll(anyRequestedFor(anyUrl()))).hasSize(1);
		}

		@Test
		void answersABrowserHitFromAnAllowedOriginWithoutTheRestOfTheChain() throws Exception {
			MockHttpServletRequest request = request("GET", "/attendees/att_1/chats", "limit=5");
			request.addHeader("Origin", ProxyIntegrationTest.ALLOWED_ORIGIN);
			MockHttpServletResponse response = new MockHttpServletResponse();

			assertThat(passesOn(request, response)).isFalse();
			assertThat(response.getStatus()).isEqualTo(200);
			assertThat(response.getHeader("Access-Control-Allow-Origin"))
				.isEqualTo(ProxyIntegrationTest.ALLOWED_ORIGIN);
			assertThat(response.getHeaders("Vary")).containsExactly("Origin", "Access-Control-Request-Method",
					"Access-Control-Request-Headers");
		}

		@Test
		void hitsAnsweredBeforeSpringMvcAreStillCountedUnderTheRoute() {
			ProxyClient management = this.proxy.management();
			String[] route = { "uri=\"/attendees/{attendee_id}/chats\"", "status=\"200\"" };
			double before = PrometheusScrape.of(management).sum("http_server_requests_seconds_count", route);
			double hitsBefore = PrometheusScrape.of(management).sum("cache_gets_total", "result=\"hit\"");

			for (int i = 0; i < 3; i++) {
				assertThat(this.proxy.get(PAGE).statusCode()).isEqualTo(200);
			}

			PrometheusScrape after = PrometheusScrape.of(management);
			assertThat(after.sum("http_server_requests_seconds_count", route) - before).isEqualTo(3);
			assertThat(after.sum("cache_gets_total", "result=\"hit\"") - hitsBefore).isEqualTo(3);
		}

		@Test
		void answersAPlainHitWithoutTheRestOfTheChain() throws Exception {
			MockHttpServletResponse response = new MockHttpServletResponse();

			boolean passedOn = passesOn(request("GET", "/attendees/att_1/chats", "limit=5"), response);

			assertThat(passedOn).isFalse();
			assertThat(response.getStatus()).isEqualTo(200);
			assertThat(response.getContentAsString()).isEqualTo(Postpress.pageJson(5, "next"));
			assertThat(response.getHeader("Cache-Status")).isEqualTo("chat-proxy; hit; ttl=30");
		}

		@ParameterizedTest(name = "{0} {1}?{2} {3}: {4}")
		@CsvSource(delimiter = '|', nullValues = "-",
				textBlock = """
						GET    | /attendees/att_1/chats     | limit=6   | -                                | another key: a miss
						GET    | /attendees/att_1/chats     | limit=500 | -                                | invalid: answered in the envelope
						GET    | /attendees/att_1/chats     | limit=5   | Cache-Control: no-cache          | asks for a fresh page
						GET    | /attendees/att_1/chats     | limit=5   | Origin: https://evil.example.com | an origin not allowed
						GET    | /attendees/att_1/chats     | limit=5   | Origin: https://APP.example.com  | allowed, not as listed
						GET    | /attendees/att_1/chats     | limit=5   | Origin: https://app.example.com/ | allowed, not as listed
						OPTIONS| /attendees/att_1/chats     | limit=5   | Origin: https://app.example.com  | a preflight
						GET    | /attendees/att_1/chats     | limit=5   | Accept: application/xml          | negotiated by Spring MVC
						POST   | /attendees/att_1/chats     | limit=5   | -                                | not a read
						GET    | /attendees/%61tt_1/chats   | limit=5   | -                                | percent-encoded
						GET    | /attendees/att_1/chats/x   | limit=5   | -                                | another path
						GET    | /attendees/a/b/chats       | limit=5   | -                                | another path
						""")
		void leavesEverythingButAPlainHitToSpringMvc(String method, String path, String query, String header,
				String why) throws Exception {
			MockHttpServletRequest request = request(method, path, query);
			if (header != null) {
				String[] nameAndValue = header.split(": ", 2);
				request.addHeader(nameAndValue[0], nameAndValue[1]);
			}
			MockHttpServletResponse response = new MockHttpServletResponse();

			assertThat(passesOn(request, response)).as(why).isTrue();
			assertThat(response.getHeaderNames()).as(why).isEmpty();
			assertThat(response.getContentAsByteArray()).as(why).isEmpty();
		}

		private boolean passesOn(MockHttpServletRequest request, MockHttpServletResponse response) throws Exception {
			AtomicBoolean passedOn = new AtomicBoolean();
			FilterChain chain = (req, res) -> passedOn.set(true);
			Objects.requireNonNull(this.registration.getFilter()).doFilter(request, response, chain);
			return passedOn.get();
		}

		private static MockHttpServletRequest request(String method, String path, String query) {
			MockHttpServletRequest request = new MockHttpServletRequest(method, path);
			request.setQueryString(query);
			return request;
		}

		private static String[] concat(String[] first, String[] second) {
			String[] both = Arrays.copyOf(first, first.length + second.length);
			System.arraycopy(second, 0, both, first.length, second.length);
			return both;
		}

		/** The headers, without those that differ by nature between two answers. */
		private static Map<String, List<String>> comparable(HttpResponse<String> response) {
			Map<String, List<String>> headers = new TreeMap<>(response.headers().map());
			headers.remove("date");
			headers.remove("x-request-id");
			return headers;
		}

	}

	/**
	 * Hostile requests through the real server (CONTRACT.md section 1): Tomcat, Spring
	 * and the proxy each decode part of a request, so these go over a raw socket exactly
	 * as written. Every one is answered 400 in the envelope, never a 5xx, and never
	 * reaches postpress.
	 */
	@Nested
	class HostileRequestsOverARawSocket {

		@Autowired
		ProxyClient proxy;

		@BeforeEach
		void answerEverything() {
			postpress.stubFor(Postpress.chats().willReturn(Postpress.page(1, null)));
			postpress.stubFor(com.github.tomakehurst.wiremock.client.WireMock.any(anyUrl())
				.atPriority(10)
				.willReturn(Postpress.page(1, null)));
		}

		@ParameterizedTest
		@ValueSource(strings = { "/attendees/%2e%2e/chats", "/attendees/%2E%2E/chats", "/attendees/.%2e/chats",
				"/attendees/%2e/chats", "/attendees/%252e%252e/chats", "/attendees/a;b/chats", "/attendees/a;/chats",
				"/attendees/a/chats;x=1", "/attendees/a%3Bb/chats", "/attendees/a%2F..%2Fb/chats",
				"/attendees/%2e%2e%2fchats/chats", "/attendees/%c0%ae%c0%ae/chats", "/attendees/a%00/chats",
				"/attendees/a%0d%0ab/chats", "/attendees/a,%2e%2e/chats", "/attendees/a/chats?=x",
				"/attendees/a/chats?limit=%zz", "/attendees/a/chats?a%zz=1", "/attendees/a/chats?cursor=%c0%ae",
				"/attendees/a/chats?limit=1&limit=2", "/attendees/a/chats?accountId=x", "/attendees/a%zz/chats" })
		void answersHostileRequestsWith400InTheEnvelopeWithoutCallingPostpress(String target) {
			String response = RawHttp.get(this.proxy.port(), target);

			assertThat(response).startsWith("HTTP/1.1 400")
				.contains("Content-Type: application/problem+json")
				.contains("\"type\":\"errors/invalid_parameters\"")
				.doesNotContain(Postpress.API_KEY);
			postpress.verify(0, anyRequestedFor(anyUrl()));
		}

		@Test
		void noGeneratedHostileIdReachesPostpressAsAnotherEndpoint() {
			HostileInputs.raw(150).forEach((raw) -> {
				String target = "/attendees/" + raw.replace(" ", "%20")
					.replace("\r", "%0d")
					.replace("\n", "%0a")
					.replace("#", "%23")
					.replace("?", "%3f") + "/chats";
				String response = RawHttp.get(this.proxy.port(), target);
				assertThat(response).as(target).matches("(?s)HTTP/1.1 (200|400|404) .*");
				if (!response.startsWith("HTTP/1.1 200")) {
					assertThat(response).as(target).contains("Content-Type: application/problem+json");
				}
			});
			postpress.getAllServeEvents()
				.forEach((event) -> assertThat(event.getRequest().getUrl()).as("seed " + HostileInputs.SEED)
					.matches(Postpress.BASE_PATH + "/chat_attendees/[^/;]+/chats(\\?.*)?")
					.doesNotContainIgnoringCase("%2e%2e"));
		}

	}

	/**
	 * What operators see: the actuator on the management port only, the Prometheus
	 * scrape, and health probes that do not follow postpress' health.
	 */
	@ProxyIntegrationTest
	@Nested
	class WhatOperatorsSee {

		private static final Pattern TAG_VALUE = Pattern.compile("=\"([^\"]*)\"");

		private static final WireMockServer postpress = Postpress.server();

		private static final int HELD_REQUESTS = 12;

		@Autowired
		ProxyClient proxy;

		@Autowired
		CircuitBreakerRegistry circuitBreakers;

		@Test
		void exposesOnlyTheOperatorEndpointsAndOnlyOnTheManagementPort() {
			for (String endpoint : List.of("/health", "/health/liveness", "/health/readiness", "/info", "/prometheus",
					"/caches")) {
				assertThat(this.proxy.management().get("/actuator" + endpoint).statusCode()).as(endpoint)
					.isEqualTo(200);
				assertThat(this.proxy.get("/actuator" + endpoint).statusCode()).as(endpoint).isEqualTo(404);
			}
			for (String endpoint : List.of("/env", "/configprops", "/heapdump", "/beans", "/threaddump", "/metrics",
					"/loggers", "/shutdown", "/mappings")) {
				assertThat(this.proxy.management().get("/actuator" + endpoint).statusCode()).as(endpoint)
					.isEqualTo(404);
			}
		}

		@Test
		void infoNamesTheCommitAndTheVersionItWasBuiltFrom() {
			HttpResponse<String> info = this.proxy.management().get("/actuator/info");

			assertThat(info.statusCode()).isEqualTo(200);
			JsonNode body = JsonMapper.builder().build().readTree(info.body());
			assertThat(body.path("git").path("commit").path("id").asString()).matches("[0-9a-f]{7,40}");
			assertThat(body.path("build").path("version").asString()).isNotBlank();
		}

		@Test
		void scrapeHasEveryMetricFamilyAndNoIdCursorOrKeyInAnyTag() throws IOException {
			postpress.stubFor(Postpress.chats("att_secret_id_1").willReturn(Postpress.page(1, "cursor_secret_1")));
			postpress.stubFor(
					Postpress.chats("att_missing_id_2").willReturn(Postpress.error(404, "errors/resource_not_found")));
			PrometheusScrape before = this.proxy.scrape();
			this.proxy.get("/attendees/att_secret_id_1/chats?account_id=acc_secret_id_3&cursor=cursor_secret_2");
			this.proxy.get("/attendees/att_secret_id_1/chats?account_id=acc_secret_id_3&cursor=cursor_secret_2");
			this.proxy.get("/attendees/att_missing_id_2/chats");

			String scrape = this.proxy.management().get("/actuator/prometheus", "Accept", "text/plain").body();
			Files.createDirectories(Path.of("target"));
			Files.writeString(Path.of("target/prometheus-scrape.txt"), scrape);

			assertThat(scrape).contains("http_server_requests_seconds_bucket{")
				.containsPattern("http_server_requests_seconds_count\\{[^}]*uri=\"/attendees/\\{attendee_id}/chats\"")
				.containsPattern(
						"http_client_requests_seconds_count\\{[^}]*uri=\"/chat_attendees/\\{attendee_id}/chats\"")
				.contains("http_client_requests_seconds_bucket{")
				.containsPattern("cache_gets_total\\{[^}]*cache=\"chats\"[^}]*result=\"hit\"")
				.containsPattern("cache_gets_total\\{[^}]*cache=\"chats\"[^}]*result=\"miss\"")
				.contains("cache_evictions_total{", "chatproxy_cache_collapsed_total{",
						"chatproxy_cache_stale_served_total{")
				.contains("resilience4j_circuitbreaker_state{", "resilience4j_circuitbreaker_calls_seconds_count{",
						"resilience4j_circuitbreaker_calls_seconds_bucket{", "resilience4j_retry_calls_total{",
						"resilience4j_bulkhead_available_concurrent_calls{", "jvm_memory_used_bytes{");
			PrometheusScrape after = new PrometheusScrape(scrape);
			assertThat(delta(before, after, "cache_gets_total", "cache=\"chats\"", "result=\"hit\"")).isEqualTo(1);
			assertThat(delta(before, after, "cache_gets_total", "cache=\"chats\"", "result=\"miss\"")).isEqualTo(2);
			for (String line : scrape.lines().filter((line) -> !line.startsWith("#")).toList()) {
				assertThat(line).contains("application=\"chat-proxy\"");
				Matcher tags = TAG_VALUE.matcher(line.substring(0, Math.max(0, line.lastIndexOf('}'))));
				while (tags.find()) {
					assertThat(tags.group(1)).as(line)
						.doesNotContain("secret_id", "missing_id", "cursor_secret", Postpress.API_KEY);
				}
			}
		}

		@Test
		void readinessStaysUpWhileThePostpressCircuitIsOpen() {
			CircuitBreaker circuitBreaker = this.circuitBreakers.circuitBreaker("postpress");
			circuitBreaker.transitionToOpenState();

			assertThat(this.proxy.get("/attendees/a/chats").statusCode()).isEqualTo(503);
			assertThat(this.proxy.management().get("/actuator/health/readiness").statusCode()).isEqualTo(200);
			assertThat(this.proxy.management().get("/actuator/health/liveness").statusCode()).isEqualTo(200);
			HttpResponse<String> health = this.proxy.management().get("/actuator/health");
			assertThat(health.statusCode()).isEqualTo(200);
			assertThat(health.body()).contains("\"circuitBreakers\"").contains("\"state\":\"OPEN\"");
		}

		@Test
		void probesAnswerWhileRequestsWaitOnPostpress() throws Exception {
			UpstreamGate gate = Postpress.hold(Postpress.chats(), Postpress.page(1, null));
			ExecutorService callers = Executors.newFixedThreadPool(32);
			try {
				List<Future<HttpResponse<String>>> load = new ArrayList<>();
				// fewer than the upstream connection pool holds, so that all reach
				// postpress
				for (int i = 0; i < HELD_REQUESTS; i++) {
					int attendee = i;
					load.add(callers.submit(() -> this.proxy.get("/attendees/busy_" + attendee + "/chats")));
				}
				await().atMost(Duration.ofSeconds(30)).until(() -> gate.arrived() == HELD_REQUESTS);
				for (int i = 0; i < 5; i++) {
					assertThat(this.proxy.management().get("/actuator/health/readiness").statusCode()).isEqualTo(200);
					assertThat(this.proxy.management().get("/actuator/health/liveness").statusCode()).isEqualTo(200);
				}
				assertThat(load).noneMatch(Future::isDone);
				gate.release();
				for (Future<HttpResponse<String>> response : load) {
					assertThat(response.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
				}
			}
			finally {
				gate.release();
				callers.shutdownNow();
			}
		}

		private static double delta(PrometheusScrape before, PrometheusScrape after, String name, String... labels) {
			return after.sum(name, labels) - before.sum(name, labels);
		}

		/**
		 * The API key never leaves the proxy except towards postpress: not in a response,
		 * an error, an actuator endpoint, a metric or a log line, at DEBUG, on success
		 * and failure paths alike.
		 */
		@Nested
		@ExtendWith(OutputCaptureExtension.class)
		@TestPropertySource(properties = { "logging.level.dev.chatproxy=TRACE",
				"logging.level.org.springframework.web=DEBUG", "logging.level.org.springframework.http=DEBUG",
				"logging.level.reactor.netty=DEBUG", "logging.level.io.github.resilience4j=DEBUG",
				"logging.level.org.springframework.boot.actuate=DEBUG" })
		class TheApiKeyStaysSecretEvenAtDebug {

			@Autowired
			ProxyClient proxy;

			@Test
			void keyAppearsInNoResponseEndpointMetricOrLogLine(CapturedOutput output) {
				ProxyClient proxy = this.proxy;
				ProxyClient management = this.proxy.management();
				List<HttpResponse<String>> responses = new ArrayList<>();
				postpress.stubFor(Postpress.chats("ok").willReturn(Postpress.page(2, "next")));
				postpress
					.stubFor(Postpress.chats("gone").willReturn(Postpress.error(404, "errors/resource_not_found")));
				postpress
					.stubFor(Postpress.chats("badkey").willReturn(Postpress.error(401, "errors/invalid_credentials")));
				postpress.stubFor(Postpress.chats("echo")
					.willReturn(aResponse().withStatus(403)
						.withHeader("Content-Type", "application/json")
						.withBody("{\"type\":\"errors/account_restricted\",\"title\":\"t\",\"status\":403,"
								+ "\"detail\":\"key " + Postpress.API_KEY + " is restricted\"}")));
				postpress
					.stubFor(Postpress.chats("down").willReturn(Postpress.error(503, "errors/service_unavailable")));
				postpress.stubFor(
						Postpress.chats("reset").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
				postpress.stubFor(Postpress.chats("junk").willReturn(okForContentType("application/json", "<html>")));
				for (String attendee : List.of("ok", "ok", "gone", "badkey", "echo", "down", "reset", "junk")) {
					responses.add(proxy.get("/attendees/" + attendee + "/chats", "X-API-KEY", "caller-key"));
				}
				responses.add(proxy.get("/attendees/ok/chats?bad=1"));
				responses.add(proxy.send("DELETE", "/attendees/ok/chats"));
				for (String endpoint : List.of("", "/health", "/health/readiness", "/health/liveness", "/info",
						"/caches", "/prometheus", "/env", "/configprops", "/beans", "/metrics")) {
					responses.add(management.get("/actuator" + endpoint));
				}

				assertThat(responses).hasSize(21).allSatisfy((response) -> {
					assertThat(response.body()).doesNotContain(Postpress.API_KEY);
					assertThat(response.headers().map().toString()).doesNotContain(Postpress.API_KEY);
				});
				assertThat(responses.get(4).body()).contains("[redacted]");
				assertThat(output.getAll()).contains("GET /attendees/ok/chats 200").doesNotContain(Postpress.API_KEY);
				assertThat(postpress.getAllServeEvents()).isNotEmpty()
					.allSatisfy((event) -> assertThat(event.getRequest().getHeader("X-API-KEY"))
						.isEqualTo(Postpress.API_KEY));
			}

		}

	}

}
