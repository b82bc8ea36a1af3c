package dev.chatproxy.demo;

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
 * listens on {@code SIMULATOR_PORT} (random when unset) and stops with the application.
 */
public final class DemoChatProxyApplication {

	private static final Log logger = LogFactory.getLog(DemoChatProxyApplication.class);

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
			logger.info("Demo: upstream is a simulated postpress at " + simulator.baseUrl()
					+ ". Try: curl 'http://localhost:"
					+ context.getEnvironment().getProperty("local.server.port", "8080") + "/attendees/"
					+ ChatDataset.JORDAN + "/chats?limit=5'. Make it fail: curl -X POST '" + simulator.controlUrl()
					+ "/mode?mode=error&status=503' (modes: healthy, error, hang, reset, slow; see "
					+ simulator.controlUrl() + "/stats)");
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
				"--postpress.api-key=" + SimulatedPostpress.DEMO_API_KEY), Stream.of(args))
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
