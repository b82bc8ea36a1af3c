package dev.chatproxy.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Calls a running proxy over real HTTP on 127.0.0.1.
 */
public final class ProxyClient {

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final int port;

	public ProxyClient(int port) {
		this.port = port;
	}

	/**
	 * Sends a GET.
	 * @param pathAndQuery the path and query, already encoded
	 * @param headers header names and values, alternating
	 * @return the response
	 */
	public HttpResponse<String> get(String pathAndQuery, String... headers) {
		return send("GET", pathAndQuery, headers);
	}

	/**
	 * Sends a request.
	 * @param method the method
	 * @param pathAndQuery the path and query, already encoded
	 * @param headers header names and values, alternating
	 * @return the response
	 */
	public HttpResponse<String> send(String method, String pathAndQuery, String... headers) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + pathAndQuery))
			.timeout(Duration.ofSeconds(60))
			.method(method, HttpRequest.BodyPublishers.noBody());
		for (int i = 0; i < headers.length; i += 2) {
			request.header(headers[i], headers[i + 1]);
		}
		try {
			return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
