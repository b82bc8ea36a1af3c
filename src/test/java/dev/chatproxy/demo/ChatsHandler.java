package dev.chatproxy.demo;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/**
 * Serves {@code GET /api/v1/chat_attendees/{attendee_id}/chats} from the dataset, as the
 * seed page describes it, unless the simulator's mode says to fail.
 */
class ChatsHandler implements HttpHandler {

	private static final Pattern PATH = Pattern.compile("/api/v1/chat_attendees/([^/]+)/chats");

	private final SimulatedPostpress simulator;

	private final ChatDataset dataset;

	private final byte[] apiKey;

	ChatsHandler(SimulatedPostpress simulator, ChatDataset dataset, String apiKey) {
		this.simulator = simulator;
		this.dataset = dataset;
		this.apiKey = apiKey.getBytes(StandardCharsets.UTF_8);
	}

	@Override
	public void handle(HttpExchange exchange) {
		Matcher attendee = PATH.matcher(exchange.getRequestURI().getRawPath());
		long call = this.simulator.countCall(attendee.matches() ? attendee.group(1) : null);
		String sentId = exchange.getRequestHeaders().getFirst("X-Request-Id");
		String requestId = (sentId != null) ? sentId : "req_" + call;
		SimulatorMode mode = this.simulator.nextMode();
		switch (mode.kind()) {
			case HANG -> {
				// Keep the exchange open without answering: the server closes it when it
				// stops.
			}
			case RESET -> exchange.close();
			case ERROR -> {
				Response error = Problem.forErrorMode(mode.status()).orElseThrow().response(requestId);
				this.simulator.respond(exchange, (mode.retryAfter() != null)
						? error.withHeader("Retry-After", String.valueOf(mode.retryAfter().toSeconds())) : error, mode);
			}
			default -> this.simulator.respond(exchange, answer(exchange, requestId), mode);
		}
	}

	private Response answer(HttpExchange exchange, String requestId) {
		try {
			if (!exchange.getRequestMethod().equals("GET")) {
				return Problem.METHOD_NOT_ALLOWED.response(requestId).withHeader("Allow", "GET");
			}
			authenticate(exchange.getRequestHeaders().getFirst("X-API-KEY"));
			Matcher path = PATH.matcher(exchange.getRequestURI().getRawPath());
			if (!path.matches()) {
				throw new ProblemException(Problem.RESOURCE_NOT_FOUND, "No such route.");
			}
			ChatQuery query = ChatQuery.parse(path.group(1), exchange.getRequestURI().getRawQuery());
			query.attendeeIds().stream().filter((id) -> !this.dataset.knows(id)).findFirst().ifPresent((id) -> {
				throw new ProblemException(Problem.RESOURCE_NOT_FOUND, "Attendee '" + id + "' was not found.");
			});
			return Response.json(200, page(query));
		}
		catch (ProblemException ex) {
			return ex.response(requestId);
		}
	}

	private void authenticate(String key) {
		if (key == null || key.isBlank()) {
			throw new ProblemException(Problem.MISSING_CREDENTIALS, "The X-API-KEY header is missing.");
		}
		if (!MessageDigest.isEqual(key.getBytes(StandardCharsets.UTF_8), this.apiKey)) {
			throw new ProblemException(Problem.INVALID_CREDENTIALS, "The provided API key is invalid.");
		}
	}

	private String page(ChatQuery query) {
		List<SimulatedChat> chats = this.dataset.chatsOf(query.attendeeIds()).stream().filter(query::includes).toList();
		int end = Math.min(query.offset() + query.limit(), chats.size());
		String items = chats.subList(Math.min(query.offset(), end), end)
			.stream()
			.map(SimulatedChat::json)
			.collect(Collectors.joining(","));
		String cursor = (end < chats.size()) ? query.cursorAt(end) : null;
		return "{\"object\":\"ChatList\",\"items\":[" + items + "],\"cursor\":" + Json.write(cursor) + "}";
	}

}
