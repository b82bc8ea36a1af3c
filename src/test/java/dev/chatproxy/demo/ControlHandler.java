package dev.chatproxy.demo;

import java.util.Map;
import java.util.UUID;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/**
 * Serves the simulator's own endpoints under {@code /__simulator} (switch the mode, read
 * the statistics, reset, receive a message), and a 404 for any other path outside the
 * API. They need no API key and do not count as calls.
 */
class ControlHandler implements HttpHandler {

	private final SimulatedPostpress simulator;

	ControlHandler(SimulatedPostpress simulator) {
		this.simulator = simulator;
	}

	@Override
	public void handle(HttpExchange exchange) {
		String requestId = "sim_" + UUID.randomUUID();
		String action = exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath();
		try {
			Map<String, String> parameters = PercentDecoding.queryParameters(exchange.getRequestURI().getRawQuery());
			switch (action) {
				case "POST /__simulator/mode" -> this.simulator.mode(SimulatorMode.of(parameters));
				case "POST /__simulator/reset" -> this.simulator.reset();
				case "POST /__simulator/message" -> {
					String chatId = parameters.get("chat_id");
					if (chatId == null || chatId.isBlank()) {
						throw new ProblemException(Problem.INVALID_PARAMETERS, "chat_id is required");
					}
					Response.json(200, Json.write(this.simulator.receiveMessage(chatId))).send(exchange);
					return;
				}
				case "GET /__simulator/stats" -> {
				}
				default -> throw new ProblemException(Problem.RESOURCE_NOT_FOUND,
						"Use POST /__simulator/mode?mode=..., GET /__simulator/stats, POST /__simulator/reset "
								+ "or POST /__simulator/message?chat_id=....");
			}
			Response.json(200, Json.write(this.simulator.stats())).send(exchange);
		}
		catch (ProblemException ex) {
			ex.response(requestId).send(exchange);
		}
	}

}
