package dev.chatproxy.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.IntSupplier;

import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;

import static org.awaitility.Awaitility.await;

/**
 * Calls a running proxy over real HTTP on 127.0.0.1; in a {@link ProxyIntegrationTest} an
 * injected one also knows the management port, the cache clock and the meters.
 */
public final class ProxyClient {

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final IntSupplier port;

	private final @Nullable IntSupplier managementPort;

	private final @Nullable ManualTicker ticker;

	private final @Nullable MeterRegistry meters;

	/**
	 * A client of one port and nothing more.
	 * @param port the port
	 */
	public ProxyClient(int port) {
		this(() -> port, null, null, null);
	}

	ProxyClient(IntSupplier port, @Nullable IntSupplier managementPort, @Nullable ManualTicker ticker,
			@Nullable MeterRegistry meters) {
		this.port = port;
		this.managementPort = managementPort;
		this.ticker = ticker;
		this.meters = meters;
	}

	/**
	 * The port this client calls.
	 * @return the port
	 */
	public int port() {
		return this.port.getAsInt();
	}

	/**
	 * A client of the management port.
	 * @return the client
	 */
	public ProxyClient management() {
		return new ProxyClient(known(this.managementPort, "management port").getAsInt());
	}

	/**
	 * The cache clock the test moves.
	 * @return the clock
	 */
	public ManualTicker ticker() {
		return known(this.ticker, "cache clock");
	}

	/**
	 * The application's meters.
	 * @return the meters
	 */
	public MeterRegistry meters() {
		return known(this.meters, "meter registry");
	}

	/**
	 * Waits until no fetch of postpress is in flight: a refresh or retry still running
	 * would store its page, or reach the fake postpress, after the next test's reset.
	 */
	public void awaitNoFetchInFlight() {
		await().atMost(Duration.ofSeconds(15))
			.until(() -> meters().get("chatproxy.cache.fetches.in.flight").gauge().value() == 0);
	}

	/**
	 * One scrape of {@code /actuator/prometheus} on the management port.
	 * @return the scrape
	 */
	public PrometheusScrape scrape() {
		return PrometheusScrape.of(management());
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
	 * Sends a POST.
	 * @param path the path, already encoded
	 * @param body the body
	 * @param headers header names and values, alternating
	 * @return the response
	 */
	public HttpResponse<String> post(String path, BodyPublisher body, String... headers) {
		return send("POST", path, body, headers);
	}

	/**
	 * Sends a request without a body.
	 * @param method the method
	 * @param pathAndQuery the path and query, already encoded
	 * @param headers header names and values, alternating
	 * @return the response
	 */
	public HttpResponse<String> send(String method, String pathAndQuery, String... headers) {
		return send(method, pathAndQuery, HttpRequest.BodyPublishers.noBody(), headers);
	}

	/**
	 * Sends a request.
	 * @param method the method
	 * @param pathAndQuery the path and query, already encoded
	 * @param body the body
	 * @param headers header names and values, alternating
	 * @return the response
	 */
	public HttpResponse<String> send(String method, String pathAndQuery, BodyPublisher body, String... headers) {
		HttpRequest.Builder request = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + this.port.getAsInt() + pathAndQuery))
			.timeout(Duration.ofSeconds(60))
			.method(method, body);
		for (int i = 0; i < headers.length; i += 2) {
			request.header(headers[i], headers[i + 1]);
		}
		return exchange(http, request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * Sends a request and waits for its response's headers, as unchecked exceptions.
	 * @param <T> the body's type
	 * @param client the client
	 * @param request the request
	 * @param body how to read the body
	 * @return the response
	 */
	static <T> HttpResponse<T> exchange(HttpClient client, HttpRequest request, HttpResponse.BodyHandler<T> body) {
		try {
			return client.send(request, body);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Sends identical GETs at once and waits for every answer.
	 * @param count how many
	 * @param pathAndQuery the path and query, already encoded
	 * @return the responses, in the order they were sent
	 */
	public List<HttpResponse<String>> burst(int count, String pathAndQuery) {
		return burst(count, pathAndQuery, () -> {
		});
	}

	/**
	 * Sends identical GETs at once; {@code whileInFlight} runs once all are sent, then
	 * {@link Postpress#gate()} is released and every answer awaited.
	 * @param count how many
	 * @param pathAndQuery the path and query, already encoded
	 * @param whileInFlight what to do (or await) while the requests are in flight
	 * @return the responses, in the order they were sent
	 */
	public List<HttpResponse<String>> burst(int count, String pathAndQuery, Runnable whileInFlight) {
		return Burst.send(count, (index) -> get(pathAndQuery), whileInFlight);
	}

	private static <T> T known(@Nullable T value, String what) {
		if (value == null) {
			throw new IllegalStateException("This client knows no " + what + ": inject it in a @ProxyIntegrationTest");
		}
		return value;
	}

}
