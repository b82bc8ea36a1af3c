package dev.chatproxy.upstream;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.ProxyClient;
import dev.chatproxy.support.ProxyIntegrationTest;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The circuit breaker counts requests, not attempts (CONTRACT.md section 6): transient
 * errors that the retries absorbed never open it, and operators see and reset it on the
 * management port.
 */
@ProxyIntegrationTest
class CircuitBreakerIntegrationTests {

	private static final WireMockServer postpress = Postpress.server();

	@Autowired
	ProxyClient proxy;

	@Autowired
	CircuitBreakerRegistry circuitBreakers;

	int attendee;

	@BeforeEach
	void closeTheBreaker() {
		breaker().reset();
	}

	@Test
	void transientErrorsThatRetriesAbsorbedNeverOpenTheBreaker() {
		// every request: two 500s, then the page (the retry's third attempt)
		postpress.stubFor(Postpress.chats()
			.inScenario("flaky")
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(Postpress.error(500, "errors/provider_error"))
			.willSetStateTo("failed once"));
		postpress.stubFor(Postpress.chats()
			.inScenario("flaky")
			.whenScenarioStateIs("failed once")
			.willReturn(Postpress.error(500, "errors/provider_error"))
			.willSetStateTo("failed twice"));
		postpress.stubFor(Postpress.chats()
			.inScenario("flaky")
			.whenScenarioStateIs("failed twice")
			.willReturn(Postpress.page(1, null))
			.willSetStateTo(Scenario.STARTED));
		int window = breaker().getCircuitBreakerConfig().getSlidingWindowSize();

		for (int i = 0; i < 3 * window; i++) {
			HttpResponse<String> response = this.proxy.get("/attendees/flaky" + i + "/chats");
			assertThat(response.statusCode()).isEqualTo(200);
		}

		assertThat(postpress.countRequestsMatching(getRequestedFor(urlPathMatching(".*")).build()).getCount())
			.isEqualTo(9 * window);
		assertThat(breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
		assertThat(breaker().getMetrics().getNumberOfFailedCalls()).isZero();
		assertThat(breaker().getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(window);
	}

	@Test
	void operatorsSeeAndResetTheBreakerOnTheManagementPort() throws Exception {
		breaker().transitionToOpenState();
		HttpResponse<String> state = this.proxy.management().get("/actuator/circuitbreakers");
		assertThat(state.statusCode()).isEqualTo(200);
		assertThat(state.body()).contains("\"postpress\"").contains("\"state\":\"OPEN\"");
		assertThat(this.proxy.get("/actuator/circuitbreakers").statusCode()).isEqualTo(404);

		HttpResponse<String> reset = HttpClient.newHttpClient()
			.send(HttpRequest
				.newBuilder(URI.create(
						"http://127.0.0.1:" + this.proxy.management().port() + "/actuator/circuitbreakers/postpress"))
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"updateState\":\"CLOSE\"}"))
				.build(), HttpResponse.BodyHandlers.ofString());

		assertThat(reset.statusCode()).isEqualTo(200);
		assertThat(breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(1, null)));
		assertThat(this.proxy.get("/attendees/after-reset/chats").statusCode()).isEqualTo(200);
	}

	private CircuitBreaker breaker() {
		return this.circuitBreakers.circuitBreaker("postpress");
	}

}
