package dev.chatproxy.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import org.awaitility.core.ConditionFactory;

import static org.awaitility.Awaitility.await;

/**
 * A server-sent-events client for tests: opens a stream on the proxy and collects what it
 * reads (events, comments, retry fields) on a thread of its own until the server ends it
 * or the test closes it.
 */
public final class EventStreamClient implements AutoCloseable {

	private static final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	private final HttpResponse<Stream<String>> response;

	private final List<Event> events = new CopyOnWriteArrayList<>();

	private final List<String> comments = new CopyOnWriteArrayList<>();

	private final List<String> retries = new CopyOnWriteArrayList<>();

	private final Thread reader;

	private volatile int emptyBlankLines;

	private volatile boolean ended;

	private EventStreamClient(HttpResponse<Stream<String>> response) {
		this.response = response;
		this.reader = new Thread(this::read, "sse-test-client");
		this.reader.setDaemon(true);
		this.reader.start();
	}

	/**
	 * Opens a stream.
	 * @param port the application port
	 * @param pathAndQuery such as {@code /attendees/a/chats/events}
	 * @param headers header names and values, alternately
	 * @return the client, reading once the response's headers arrived
	 */
	public static EventStreamClient open(int port, String pathAndQuery, String... headers) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
			.header("Accept", "text/event-stream");
		for (int i = 0; i < headers.length; i += 2) {
			request.header(headers[i], headers[i + 1]);
		}
		return new EventStreamClient(ProxyClient.exchange(http, request.build(), HttpResponse.BodyHandlers.ofLines()));
	}

	private void read() {
		String id = null;
		String name = null;
		StringBuilder data = null;
		boolean anything = false;
		try (Stream<String> lines = this.response.body()) {
			for (String line : (Iterable<String>) lines::iterator) {
				boolean blank = line.isEmpty();
				if (blank && !anything) {
					this.emptyBlankLines++;
				}
				anything = !blank;
				if (blank) {
					if (data != null) {
						this.events.add(new Event(id, (name != null) ? name : "message", data.toString()));
					}
					id = null;
					name = null;
					data = null;
				}
				else if (line.startsWith(":")) {
					this.comments.add(line.substring(1));
				}
				else {
					int colon = line.indexOf(':');
					String field = (colon < 0) ? line : line.substring(0, colon);
					String value = (colon < 0) ? "" : line.substring(colon + 1);
					value = value.startsWith(" ") ? value.substring(1) : value;
					switch (field) {
						case "id" -> id = value;
						case "event" -> name = value;
						case "retry" -> this.retries.add(value);
						case "data" ->
							data = (data == null) ? new StringBuilder(value) : data.append('\n').append(value);
						default -> {
						}
					}
				}
			}
		}
		catch (RuntimeException ex) {
			// closed by the test or cut by the server
		}
		finally {
			this.ended = true;
		}
	}

	public int status() {
		return this.response.statusCode();
	}

	public Map<String, List<String>> headers() {
		return this.response.headers().map();
	}

	public List<Event> events() {
		return new ArrayList<>(this.events);
	}

	public List<String> comments() {
		return new ArrayList<>(this.comments);
	}

	public List<String> retries() {
		return new ArrayList<>(this.retries);
	}

	/**
	 * Blank lines that ended nothing (no field or comment since the previous one): a
	 * well-formed stream has none.
	 */
	public int emptyBlankLines() {
		return this.emptyBlankLines;
	}

	/** Whether the server ended the stream (or the test closed it). */
	public boolean ended() {
		return this.ended;
	}

	/**
	 * Waits until the stream holds at least that many events.
	 * @param count how many
	 * @return the events
	 */
	public List<Event> awaitEvents(int count) {
		waiting().until(() -> this.events.size() >= count);
		return events();
	}

	private static ConditionFactory waiting() {
		return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20));
	}

	@Override
	public void close() {
		this.reader.interrupt();
		try {
			this.response.body().close();
		}
		catch (RuntimeException ex) {
			// already closed
		}
	}

	/**
	 * One event as read.
	 *
	 * @param id its {@code id:} field
	 * @param name its {@code event:} field
	 * @param data its data lines
	 */
	public record Event(String id, String name, String data) {
	}

}
