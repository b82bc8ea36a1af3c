package dev.chatproxy.chats;

import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.PrometheusScrape;
import dev.chatproxy.support.ProxyClient;
import dev.chatproxy.support.ProxyIntegrationTest;
import jakarta.servlet.FilterChain;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cache hits answered by the {@link CachedHitFilter} before Spring MVC: the very answer
 * Spring MVC gives for the same hit, counted and timed as every request is, and
 * everything that is not a plain hit left to Spring MVC.
 */
@ProxyIntegrationTest
class CachedHitFilterIntegrationTests {

	private static final WireMockServer postpress = Postpress.server();

	private static final String PAGE = "/attendees/att_1/chats?limit=5";

	/**
	 * An {@code Accept} the filter leaves to Spring MVC's negotiation, which accepts it.
	 */
	private static final String[] VIA_SPRING_MVC = { "Accept", "application/json, */*;q=0.5" };

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@Autowired
	FilterRegistrationBean<CachedHitFilter> registration;

	ProxyClient proxy;

	@BeforeEach
	void cacheThePage() {
		this.proxy = new ProxyClient(this.port);
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
		assertThat(response.getHeader("Access-Control-Allow-Origin")).isEqualTo(ProxyIntegrationTest.ALLOWED_ORIGIN);
		assertThat(response.getHeaders("Vary")).containsExactly("Origin", "Access-Control-Request-Method",
				"Access-Control-Request-Headers");
	}

	@Test
	void hitsAnsweredBeforeSpringMvcAreStillCountedUnderTheRoute() {
		ProxyClient management = new ProxyClient(this.managementPort);
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
	void leavesEverythingButAPlainHitToSpringMvc(String method, String path, String query, String header, String why)
			throws Exception {
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
