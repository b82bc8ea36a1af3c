package dev.chatproxy.upstream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;

import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.ProxyClient;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * postpress cannot be reached at all: the proxy's base URL points to a loopback port on
 * which nothing listens.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class ResilienceConnectionRefusedIntegrationTests {

	private static final int closedPort = closedPort();

	@LocalServerPort
	int port;

	@Autowired
	CircuitBreakerRegistry circuitBreakers;

	@Autowired
	RetryRegistry retries;

	@DynamicPropertySource
	static void postpressProperties(DynamicPropertyRegistry registry) {
		registry.add("postpress.base-url", () -> "http://127.0.0.1:" + closedPort + Postpress.BASE_PATH);
		registry.add("postpress.api-key", () -> Postpress.API_KEY);
		registry.add("resilience4j.retry.configs.default.wait-duration", () -> "10ms");
		registry.add("resilience4j.retry.configs.default.exponential-max-wait-duration", () -> "20ms");
	}

	@Test
	void answersNetworkDownAfterThreeAttempts() {
		CircuitBreaker breaker = this.circuitBreakers.circuitBreaker("postpress");
		breaker.reset();
		long failedWithRetry = this.retries.retry("postpress").getMetrics().getNumberOfFailedCallsWithRetryAttempt();

		HttpResponse<String> response = new ProxyClient(this.port).get("/attendees/unreachable/chats");

		ProblemAssertions.assertProblem(response, 503, "errors/network_down", closedPort);
		// three attempts, one request: one failure for the breaker
		assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
		assertThat(this.retries.retry("postpress").getMetrics().getNumberOfFailedCallsWithRetryAttempt())
			.isEqualTo(failedWithRetry + 1);
	}

	private static int closedPort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
