package dev.chatproxy.demo;

import java.util.UUID;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/**
 * Serves the simulator's own endpoints under {@code /__simulator} (switch the mode, read
 * the statistics, reset), and a 404 for any other path outside the API. They need no API
 * key and do not count as calls.
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
			switch (action) {
				case "POST /__simulator/mode" -> this.simulator
					.mode(SimulatorMode.of(PercentDecoding.queryParameters(exchange.getRequestURI().getRawQuery())));
				case "POST /__simulator/reset" -> this.simulator.reset();
				case "GET /__simulator/stats" -> {
				}
				default -> throw new ProblemException(Problem.RESOURCE_NOT_FOUND,
						"Use POST /__simulator/mode?mode=..., GET /__simulator/stats or POST /__simulator/reset.");
			}
			Response.json(200, Json.write(this.simulator.stats())).send(exchange);
		}
		catch (ProblemException ex) {
			ex.response(requestId).send(exchange);
		}
	}

}
