package dev.chatproxy.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;

/**
 * A JSON response, built first and written later (possibly after a delay, on another
 * thread).
 *
 * @param status the HTTP status
 * @param body the JSON body
 * @param headers extra headers
 */
record Response(int status, String body, Map<String, String> headers) {

	static Response json(int status, String body) {
		return new Response(status, body, Map.of());
	}

	Response withHeader(String name, String value) {
		Map<String, String> headers = new LinkedHashMap<>(this.headers);
		headers.put(name, value);
		return new Response(this.status, this.body, headers);
	}

	void send(HttpExchange exchange) {
		byte[] bytes = this.body.getBytes(StandardCharsets.UTF_8);
		try {
			exchange.getResponseHeaders().set("Content-Type", "application/json");
			this.headers.forEach(exchange.getResponseHeaders()::set);
			exchange.sendResponseHeaders(this.status, bytes.length);
			exchange.getResponseBody().write(bytes);
		}
		catch (IOException ex) {
			// The client went away: nothing left to answer.
		}
		finally {
			exchange.close();
		}
	}

}
