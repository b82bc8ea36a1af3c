package dev.chatproxy.system;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.ProxyClient;
import dev.chatproxy.support.ProxyIntegrationTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.TestPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okForContentType;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API key never leaves the proxy except towards postpress: not in a response, an
 * error, an actuator endpoint, a metric or a log line, at DEBUG, on success and failure
 * paths alike.
 */
@ExtendWith(OutputCaptureExtension.class)
@ProxyIntegrationTest
@TestPropertySource(properties = { "logging.level.dev.chatproxy=TRACE", "logging.level.org.springframework.web=DEBUG",
		"logging.level.org.springframework.http=DEBUG", "logging.level.reactor.netty=DEBUG",
		"logging.level.io.github.resilience4j=DEBUG", "logging.level.org.springframework.boot.actuate=DEBUG" })
class ApiKeySecrecyIntegrationTests {

	private static final WireMockServer postpress = Postpress.server();

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
		postpress.stubFor(Postpress.chats("reset").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
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
			.allSatisfy((event) -> assertThat(event.getRequest().getHeader("X-API-KEY")).isEqualTo(Postpress.API_KEY));
	}

}
