package dev.chatproxy.demo;

import java.net.URI;
import java.time.Duration;
import java.util.stream.Stream;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.chatproxy.ChatProxyApplication;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;

/**
 * Runs chat-proxy against a {@link SimulatedPostpress}
 * ({@code ./mvnw spring-boot:test-run}): no API key and no network needed. The simulator
 * listens on {@code SIMULATOR_PORT} (random when unset), posts its message events to the
 * proxy's webhook, and stops with the application.
 */
public final class DemoChatProxyApplication {

	private static final Log logger = LogFactory.getLog(DemoChatProxyApplication.class);

	/** The webhook secret the demo uses: made up, not a secret. */
	static final String DEMO_WEBHOOK_SECRET = "whsec_demo_not_a_secret";

	private DemoChatProxyApplication() {
	}

	public static void main(String[] args) {
		String port = System.getenv("SIMULATOR_PORT");
		SimulatedPostpress simulator = SimulatedPostpress.start((port != null) ? Integer.parseInt(port) : 0,
				SimulatedPostpress.DEMO_API_KEY, Duration.ZERO);
		try {
			ConfigurableApplicationContext context = new SpringApplicationBuilder(ChatProxyApplication.class)
				.listeners(stopWithApplication(simulator))
				.run(withSimulator(simulator, args));
			String serverPort = context.getEnvironment().getProperty("local.server.port", "8080");
			simulator.webhook(URI.create("http://127.0.0.1:" + serverPort + "/webhooks/postpress"),
					context.getEnvironment().getProperty("proxy.webhook.secret", DEMO_WEBHOOK_SECRET));
			logger.info("Demo: upstream is a simulated postpress at " + simulator.baseUrl()
					+ ". Try: curl 'http://localhost:" + serverPort + "/attendees/" + ChatDataset.JORDAN
					+ "/chats?limit=5'. Make it fail: curl -X POST '" + simulator.controlUrl()
					+ "/mode?mode=error&status=503' (modes: healthy, error, hang, reset, slow; see "
					+ simulator.controlUrl() + "/stats). A new message on a chat, pushed to the proxy's webhook: "
					+ "curl -X POST '" + simulator.controlUrl() + "/message?chat_id=<a chat id from the list>'");
		}
		catch (RuntimeException ex) {
			simulator.close();
			throw ex;
		}
	}

	/**
	 * Command-line arguments win over the environment, so that a
	 * {@code POSTPRESS_API_KEY} or {@code POSTPRESS_BASE_URL} set in the shell never
	 * points the demo elsewhere.
	 */
	private static String[] withSimulator(SimulatedPostpress simulator, String[] args) {
		return Stream.concat(Stream.of("--postpress.base-url=" + simulator.baseUrl(),
				"--postpress.api-key=" + SimulatedPostpress.DEMO_API_KEY,
				"--proxy.webhook.secret=" + DEMO_WEBHOOK_SECRET), Stream.of(args))
			.toArray(String[]::new);
	}

	private static ApplicationListener<ApplicationEvent> stopWithApplication(SimulatedPostpress simulator) {
		return (event) -> {
			if (event instanceof ContextClosedEvent) {
				simulator.close();
			}
		};
	}

}
