package dev.chatproxy.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.jspecify.annotations.Nullable;

/**
 * A simulated postpress API on 127.0.0.1, serving {@code GET
 * /api/v1/chat_attendees/{attendee_id}/chats} from a fixed dataset ({@link ChatDataset})
 * with real cursor pagination, filters and API-key checks, so that the proxy runs, is
 * tested and is benchmarked without network or a real key.
 * <p>
 * Its failure mode can be switched at run time, from Java ({@link #mode(SimulatorMode)})
 * or over HTTP on the same port (no API key needed):
 * <ul>
 * <li>{@code POST /__simulator/mode?mode=healthy}</li>
 * <li>{@code POST /__simulator/mode?mode=error&status=503&retry_after=2}: a postpress
 * error (status 401, 403, 404, 429, 500, 503 or 504; {@code Retry-After} only when
 * given)</li>
 * <li>{@code POST /__simulator/mode?mode=hang}: accept calls and never answer them</li>
 * <li>{@code POST /__simulator/mode?mode=reset}: close the connection without
 * answering</li>
 * <li>{@code POST /__simulator/mode?mode=slow&delay_ms=3000}: answer healthy, late</li>
 * <li>any mode with {@code &times=N}: only for the next N calls, then healthy again</li>
 * <li>{@code GET /__simulator/stats}:
 * {@code {"calls":N,"mode":"...","calls_by_attendee":{...}}} (calls counts every request
 * to {@code /api/v1/}; per attendee path segment too)</li>
 * <li>{@code POST /__simulator/reset}: healthy again, calls back to 0</li>
 * <li>{@code POST /__simulator/message?chat_id=...}: a message arrives on that chat (its
 * {@code timestamp} becomes now, its {@code unread_count} goes up by one), and, when a
 * webhook is {@linkplain #webhook set}, a {@code message_received} event is posted to it
 * as postpress would</li>
 * </ul>
 * A mode applies to every request to {@code /api/v1/}, before its API key is checked, as
 * an outage in front of postpress would. Standalone:
 * {@code java -cp target/test-classes dev.chatproxy.demo.SimulatedPostpress
 * --port=9090 --delay-ms=20 --api-key=pp_demo_not_a_secret}.
 */
public final class SimulatedPostpress implements AutoCloseable {

	/** The API key the demo uses: made up, not a secret. */
	public static final String DEMO_API_KEY = "pp_demo_not_a_secret";

	private static final int THREADS = 32;

	private final HttpServer server;

	private final ExecutorService executor = Executors.newFixedThreadPool(THREADS, daemonThreads("handler"));

	private final ScheduledExecutorService delayer = Executors.newSingleThreadScheduledExecutor(daemonThreads("delay"));

	private final Duration delay;

	private final AtomicLong calls = new AtomicLong();

	/** Calls per attendee path segment, as sent (for bench/storm.sh). */
	private final Map<String, AtomicLong> callsByAttendee = new ConcurrentSkipListMap<>();

	private final ChatDataset dataset = ChatDataset.standard();

	private final HttpClient webhookClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private SimulatorMode mode = SimulatorMode.healthy();

	private volatile @Nullable URI webhookUrl;

	private volatile @Nullable String webhookSecret;

	private SimulatedPostpress(int port, String apiKey, Duration delay) throws IOException {
		this.delay = delay;
		this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 1024);
		this.server.createContext("/api/v1/", new ChatsHandler(this, this.dataset, apiKey));
		this.server.createContext("/", new ControlHandler(this));
		this.server.setExecutor(this.executor);
		this.server.start();
	}

	/**
	 * Starts a simulator on a random port, with the demo key and no delay.
	 * @return the running simulator
	 */
	public static SimulatedPostpress start() {
		return start(0, DEMO_API_KEY, Duration.ZERO);
	}

	/**
	 * Starts a simulator.
	 * @param port the port, 0 for a random one
	 * @param apiKey the {@code X-API-KEY} it accepts
	 * @param delay how long it waits before each answer
	 * @return the running simulator
	 */
	public static SimulatedPostpress start(int port, String apiKey, Duration delay) {
		try {
			return new SimulatedPostpress(port, apiKey, delay);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot start the simulated postpress on port " + port, ex);
		}
	}

	public int port() {
		return this.server.getAddress().getPort();
	}

	/**
	 * The value for {@code postpress.base-url}, e.g.
	 * {@code http://127.0.0.1:4321/api/v1}.
	 */
	public String baseUrl() {
		return "http://127.0.0.1:" + port() + "/api/v1";
	}

	/**
	 * Where the control endpoints are, e.g. {@code http://127.0.0.1:4321/__simulator}.
	 */
	public String controlUrl() {
		return "http://127.0.0.1:" + port() + "/__simulator";
	}

	/** How many requests reached {@code /api/v1/} since the start or the last reset. */
	public long callCount() {
		return this.calls.get();
	}

	public synchronized SimulatorMode mode() {
		return this.mode;
	}

	public synchronized void mode(SimulatorMode mode) {
		this.mode = mode;
	}

	/** Healthy again, with the call count back to 0. */
	public synchronized void reset() {
		this.mode = SimulatorMode.healthy();
		this.calls.set(0);
		this.callsByAttendee.clear();
	}

	/**
	 * Where to post message events, as postpress' webhooks do.
	 * @param url the proxy's webhook, e.g.
	 * {@code http://127.0.0.1:8080/webhooks/postpress}
	 * @param secret the secret sent in {@code X-Webhook-Secret}
	 */
	public void webhook(URI url, String secret) {
		this.webhookSecret = secret;
		this.webhookUrl = url;
	}

	/**
	 * A message arrives on the chat now; the webhook, if set, is told.
	 * @param chatId the chat
	 * @return what changed, and the webhook's answer status ({@code 0} when none is set)
	 * @throws ProblemException when the chat is unknown
	 */
	public Map<String, Object> receiveMessage(String chatId) {
		Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
		ChatDataset.ReceivedMessage message = this.dataset.receiveMessage(chatId, now);
		if (message == null) {
			throw new ProblemException(Problem.RESOURCE_NOT_FOUND, "Chat '" + chatId + "' was not found.");
		}
		Map<String, Object> event = new LinkedHashMap<>();
		event.put("event", "message_received");
		event.put("account_id", message.chat().accountId());
		event.put("chat_id", chatId);
		event.put("timestamp", ChatGenerator.ISO_MILLIS.format(now));
		event.put("webhook_name", "chat-proxy");
		event.put("message_id", "msg_" + this.calls.get() + "_" + now.toEpochMilli());
		event.put("message", "Hello from the simulator");
		event.put("sender", message.attendees().get(0));
		event.put("attendees", message.attendees());
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("chat_id", chatId);
		result.put("timestamp", event.get("timestamp"));
		result.put("unread_count", message.unreadCount());
		result.put("webhook_status", postEvent(Json.write(event)));
		return result;
	}

	private int postEvent(String event) {
		URI url = this.webhookUrl;
		String secret = this.webhookSecret;
		if (url == null || secret == null) {
			return 0;
		}
		HttpRequest request = HttpRequest.newBuilder(url)
			.timeout(Duration.ofSeconds(5))
			.header("Content-Type", "application/json")
			.header("X-Webhook-Secret", secret)
			.POST(HttpRequest.BodyPublishers.ofString(event))
			.build();
		try {
			return this.webhookClient.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
		}
		catch (IOException ex) {
			return -1;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return -1;
		}
	}

	@Override
	public void close() {
		this.server.stop(0);
		this.delayer.shutdownNow();
		this.executor.shutdownNow();
	}

	long countCall(@Nullable String attendeeId) {
		if (attendeeId != null) {
			this.callsByAttendee.computeIfAbsent(attendeeId, (id) -> new AtomicLong()).incrementAndGet();
		}
		return this.calls.incrementAndGet();
	}

	synchronized SimulatorMode nextMode() {
		SimulatorMode current = this.mode;
		this.mode = current.next();
		return current;
	}

	synchronized Map<String, Object> stats() {
		Map<String, Object> stats = new LinkedHashMap<>();
		stats.put("calls", this.calls.get());
		stats.putAll(this.mode.describe());
		Map<String, Object> byAttendee = new LinkedHashMap<>();
		this.callsByAttendee.forEach((id, count) -> byAttendee.put(id, count.get()));
		if (!byAttendee.isEmpty()) {
			stats.put("calls_by_attendee", byAttendee);
		}
		return stats;
	}

	void respond(HttpExchange exchange, Response response, SimulatorMode mode) {
		long millis = this.delay.plus(mode.delay()).toMillis();
		if (millis == 0) {
			response.send(exchange);
		}
		else {
			this.delayer.schedule(() -> this.executor.execute(() -> response.send(exchange)), millis,
					TimeUnit.MILLISECONDS);
		}
	}

	private static ThreadFactory daemonThreads(String role) {
		AtomicInteger count = new AtomicInteger();
		return (task) -> {
			Thread thread = new Thread(task, "postpress-simulator-" + role + "-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

	/**
	 * Runs a simulator until the process is stopped.
	 * @param args {@code --port=N} (default 9090), {@code --delay-ms=N} (default 0),
	 * {@code --api-key=KEY} (default {@value #DEMO_API_KEY})
	 * @throws InterruptedException never in practice
	 */
	public static void main(String[] args) throws InterruptedException {
		Map<String, String> options = new LinkedHashMap<>(
				Map.of("port", "9090", "delay-ms", "0", "api-key", DEMO_API_KEY));
		for (String arg : args) {
			String[] option = arg.replaceFirst("^--", "").split("=", 2);
			if (!arg.startsWith("--") || option.length != 2 || !options.containsKey(option[0])) {
				System.err.println("Usage: SimulatedPostpress [--port=9090] [--delay-ms=0] [--api-key=KEY]");
				System.exit(2);
			}
			options.put(option[0], option[1]);
		}
		SimulatedPostpress simulator = start(Integer.parseInt(options.get("port")), options.get("api-key"),
				Duration.ofMillis(Long.parseLong(options.get("delay-ms"))));
		Runtime.getRuntime().addShutdownHook(new Thread(simulator::close));
		System.out.println("Simulated postpress: base URL " + simulator.baseUrl() + ", control "
				+ simulator.controlUrl() + " (delay " + options.get("delay-ms") + " ms)");
		new CountDownLatch(1).await();
	}

}
