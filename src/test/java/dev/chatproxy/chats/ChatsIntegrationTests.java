package dev.chatproxy.chats;

import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.chatproxy.support.HostileInputs;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.PrometheusScrape;
import dev.chatproxy.support.ProxyClient;
import dev.chatproxy.support.ProxyIntegrationTest;
import dev.chatproxy.support.RawHttp;
import jakarta.servlet.FilterChain;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.okForContentType;
import static org.assertj.core.api.Assertions.assertThat;

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

}
