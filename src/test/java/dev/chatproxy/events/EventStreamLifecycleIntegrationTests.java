package dev.chatproxy.events;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.chatproxy.ChatProxyApplication;
import dev.chatproxy.support.EventStreamClient;
import dev.chatproxy.support.Postpress;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A stream's life: Spring MVC's asynchronous request timeout does not end it, and the
 * application's graceful shutdown ends every stream first, instead of waiting its phase's
 * timeout for them.
 */
class EventStreamLifecycleIntegrationTests {

	private static final WireMockServer postpress = Postpress.server();

	@Test
	void streamOutlivesTheAsynchronousRequestTimeout() {
		try (ConfigurableApplicationContext application = start();
				EventStreamClient stream = EventStreamClient.open(port(application), "/attendees/att_1/chats/events")) {
			assertThat(stream.status()).isEqualTo(200);

			// ten heartbeats of 100ms: twice the 500ms timeout of other asynchronous
			// requests
			await().atMost(Duration.ofSeconds(30)).until(() -> stream.comments().size() >= 11);

			assertThat(stream.ended()).isFalse();
		}
	}

	@Test
	void gracefulShutdownEndsEveryStreamRatherThanWaitingForThem() {
		ConfigurableApplicationContext application = start();
		try (EventStreamClient first = EventStreamClient.open(port(application), "/attendees/att_1/chats/events");
				EventStreamClient second = EventStreamClient.open(port(application), "/attendees/att_2/chats/events")) {
			assertThat(first.status()).isEqualTo(200);
			assertThat(second.status()).isEqualTo(200);

			CompletableFuture<Void> closed = CompletableFuture.runAsync(application::close);

			await().atMost(Duration.ofSeconds(30)).until(() -> first.ended() && second.ended());
			// the shutdown phase would wait 120s for open requests: it ends well before
			await().atMost(Duration.ofSeconds(60)).until(closed::isDone);
			assertThat(closed).isCompleted();
		}
	}

	private static ConfigurableApplicationContext start() {
		return new SpringApplicationBuilder(ChatProxyApplication.class).run("--server.port=0",
				"--server.address=127.0.0.1", "--management.server.port=0", "--management.server.address=127.0.0.1",
				"--postpress.base-url=" + postpress.baseUrl() + Postpress.BASE_PATH,
				"--postpress.api-key=" + Postpress.API_KEY, "--spring.mvc.async.request-timeout=500ms",
				"--spring.lifecycle.timeout-per-shutdown-phase=120s", "--proxy.events.heartbeat=100ms");
	}

	private static int port(ConfigurableApplicationContext application) {
		return Integer.parseInt(application.getEnvironment().getProperty("local.server.port"));
	}

}
