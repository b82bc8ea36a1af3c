package dev.chatproxy.system;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.PrometheusScrape;
import dev.chatproxy.support.ProxyClient;
import dev.chatproxy.support.ProxyIntegrationTest;
import dev.chatproxy.support.UpstreamGate;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.TestPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okForContentType;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What operators see: the actuator on the management port only, the Prometheus scrape,
 * and health probes that do not follow postpress' health.
 */
@ProxyIntegrationTest
class OperationsIntegrationTests {

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
			assertThat(this.proxy.management().get("/actuator" + endpoint).statusCode()).as(endpoint).isEqualTo(200);
			assertThat(this.proxy.get("/actuator" + endpoint).statusCode()).as(endpoint).isEqualTo(404);
		}
		for (String endpoint : List.of("/env", "/configprops", "/heapdump", "/beans", "/threaddump", "/metrics",
				"/loggers", "/shutdown", "/mappings")) {
			assertThat(this.proxy.management().get("/actuator" + endpoint).statusCode()).as(endpoint).isEqualTo(404);
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
		postpress
			.stubFor(Postpress.chats("att_missing_id_2").willReturn(Postpress.error(404, "errors/resource_not_found")));
		PrometheusScrape before = this.proxy.scrape();
		this.proxy.get("/attendees/att_secret_id_1/chats?account_id=acc_secret_id_3&cursor=cursor_secret_2");
		this.proxy.get("/attendees/att_secret_id_1/chats?account_id=acc_secret_id_3&cursor=cursor_secret_2");
		this.proxy.get("/attendees/att_missing_id_2/chats");

		String scrape = this.proxy.management().get("/actuator/prometheus", "Accept", "text/plain").body();
		Files.createDirectories(Path.of("target"));
		Files.writeString(Path.of("target/prometheus-scrape.txt"), scrape);

		assertThat(scrape).contains("http_server_requests_seconds_bucket{")
			.containsPattern("http_server_requests_seconds_count\\{[^}]*uri=\"/attendees/\\{attendee_id}/chats\"")
			.containsPattern("http_client_requests_seconds_count\\{[^}]*uri=\"/chat_attendees/\\{attendee_id}/chats\"")
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
			// fewer than the upstream connection pool holds, so that all reach postpress
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
	 * The API key never leaves the proxy except towards postpress: not in a response, an
	 * error, an actuator endpoint, a metric or a log line, at DEBUG, on success and
	 * failure paths alike.
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
			postpress.stubFor(Postpress.chats("gone").willReturn(Postpress.error(404, "errors/resource_not_found")));
			postpress.stubFor(Postpress.chats("badkey").willReturn(Postpress.error(401, "errors/invalid_credentials")));
			postpress.stubFor(Postpress.chats("echo")
				.willReturn(aResponse().withStatus(403)
					.withHeader("Content-Type", "application/json")
					.withBody("{\"type\":\"errors/account_restricted\",\"title\":\"t\",\"status\":403,"
							+ "\"detail\":\"key " + Postpress.API_KEY + " is restricted\"}")));
			postpress.stubFor(Postpress.chats("down").willReturn(Postpress.error(503, "errors/service_unavailable")));
			postpress
				.stubFor(Postpress.chats("reset").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
			postpress.stubFor(Postpress.chats("junk").willReturn(okForContentType("application/json", "<html>")));
			for (String attendee : List.of("ok", "ok", "gone", "badkey", "echo", "down", "reset", "junk")) {
				responses.add(proxy.get("/attendees/" + attendee + "/chats", "X-API-KEY", "caller-key"));
			}
			responses.add(proxy.get("/attendees/ok/chats?bad=1"));
			responses.add(proxy.send("DELETE", "/attendees/ok/chats"));
			for (String endpoint : List.of("", "/health", "/health/readiness", "/health/liveness", "/info", "/caches",
					"/prometheus", "/env", "/configprops", "/beans", "/metrics")) {
				responses.add(management.get("/actuator" + endpoint));
			}

			assertThat(responses).hasSize(21).allSatisfy((response) -> {
				assertThat(response.body()).doesNotContain(Postpress.API_KEY);
				assertThat(response.headers().map().toString()).doesNotContain(Postpress.API_KEY);
			});
			assertThat(responses.get(4).body()).contains("[redacted]");
			assertThat(output.getAll()).contains("GET /attendees/ok/chats 200").doesNotContain(Postpress.API_KEY);
			assertThat(postpress.getAllServeEvents()).isNotEmpty()
				.allSatisfy(
						(event) -> assertThat(event.getRequest().getHeader("X-API-KEY")).isEqualTo(Postpress.API_KEY));
		}

	}

}
