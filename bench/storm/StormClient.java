import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * bench/storm.sh's driver (issue 22, "storms cost postpress little"): readers read every
 * attendee's two pages steadily across the replicas; a storm of message events at a fixed
 * rate, each a message on the simulator ({@code POST /__simulator/message}) and its webhook
 * posted to the replicas in turn; then how long until every replica serves every page with
 * the last message, and the simulator's calls per attendee against the bound.
 * <p>
 * Usage: {@code java StormClient.java replicas=http://127.0.0.1:18400,... sim=http://127.0.0.1:18490
 * api-key=K secret=S attendees=a,b,c rate=40 seconds=40 interval-ms=1000 readers=3 pace-ms=20}
 * Prints {@code key value} lines; one {@code attendee ...} line per attendee.
 */
public class StormClient {

	private static final Pattern FIRST_CHAT = Pattern.compile("\"items\":\\[\\{[^{]*?\"id\":\"([^\"]+)\"");

	private static final Pattern ACCOUNT = Pattern.compile("\"account_id\":\"([^\"]+)\"");

	private static final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	public static void main(String[] args) throws Exception {
		Map<String, String> options = new HashMap<>();
		for (String arg : args) {
			String[] pair = arg.split("=", 2);
			options.put(pair[0], pair[1]);
		}
		List<String> replicas = List.of(options.get("replicas").split(","));
		String sim = options.get("sim");
		String apiKey = options.get("api-key");
		String secret = options.get("secret");
		List<String> attendees = List.of(options.get("attendees").split(","));
		int rate = Integer.parseInt(options.getOrDefault("rate", "40"));
		int seconds = Integer.parseInt(options.getOrDefault("seconds", "40"));
		long intervalMs = Long.parseLong(options.getOrDefault("interval-ms", "1000"));
		int readerCount = Integer.parseInt(options.getOrDefault("readers", "3"));
		long paceMs = Long.parseLong(options.getOrDefault("pace-ms", "20"));
		List<String> pageQueries = List.of("?limit=5", "?limit=20");

		// each attendee's chat that the storm hits: the first of its list
		Map<String, String> chatOf = new LinkedHashMap<>();
		Map<String, String> accountOf = new LinkedHashMap<>();
		for (String attendee : attendees) {
			String body = get(sim + "/api/v1/chat_attendees/" + attendee + "/chats?limit=1", "X-API-KEY", apiKey).body();
			chatOf.put(attendee, find(FIRST_CHAT, body));
			accountOf.put(attendee, find(ACCOUNT, body));
		}
		List<String> pages = new ArrayList<>();
		for (String attendee : attendees) {
			for (String query : pageQueries) {
				pages.add("/attendees/" + attendee + "/chats" + query);
			}
		}
		// every page cached on every replica
		for (String replica : replicas) {
			for (String page : pages) {
				check(get(replica + page), replica + page);
			}
		}
		Map<String, Long> callsBefore = callsByAttendee(sim, attendees);

		AtomicBoolean reading = new AtomicBoolean(true);
		AtomicLong reads = new AtomicLong();
		AtomicLong readFailures = new AtomicLong();
		List<Thread> readers = new ArrayList<>();
		for (int r = 0; r < readerCount; r++) {
			int offset = r;
			Thread reader = new Thread(() -> {
				int n = offset;
				while (reading.get()) {
					String replica = replicas.get(n % replicas.size());
					String page = pages.get((n / replicas.size()) % pages.size());
					try {
						if (get(replica + page).statusCode() != 200) {
							readFailures.incrementAndGet();
						}
					}
					catch (Exception ex) {
						readFailures.incrementAndGet();
					}
					reads.incrementAndGet();
					n++;
					pause(paceMs);
				}
			}, "reader-" + r);
			reader.start();
			readers.add(reader);
		}

		// the storm: event i is for attendee i mod 3, posted to replica (i / 3) mod 3, so
		// that each attendee's events are split across the replicas
		int total = rate * seconds;
		Map<String, String> lastTimestamp = new ConcurrentHashMap<>();
		AtomicInteger sent = new AtomicInteger();
		AtomicInteger webhookFailures = new AtomicInteger();
		AtomicLong lastEventNanos = new AtomicLong();
		ScheduledExecutorService storm = Executors.newScheduledThreadPool(16);
		long startNanos = System.nanoTime();
		long periodMicros = 1_000_000L / rate;
		for (int i = 0; i < total; i++) {
			int event = i;
			storm.schedule(() -> {
				String attendee = attendees.get(event % attendees.size());
				String replica = replicas.get((event / attendees.size()) % replicas.size());
				String chat = chatOf.get(attendee);
				try {
					String message = post(sim + "/__simulator/message?chat_id=" + chat, "", null, null).body();
					String timestamp = find(Pattern.compile("\"timestamp\":\"([^\"]+)\""), message);
					lastTimestamp.merge(attendee, timestamp, (a, b) -> (a.compareTo(b) >= 0) ? a : b);
					String json = "{\"event\":\"message_received\",\"account_id\":\"" + accountOf.get(attendee)
							+ "\",\"chat_id\":\"" + chat + "\",\"timestamp\":\"" + timestamp
							+ "\",\"sender\":{\"attendee_id\":\"" + attendee + "\"},\"attendees\":[{\"attendee_id\":\""
							+ attendee + "\"}]}";
					if (post(replica + "/webhooks/postpress", json, "X-Webhook-Secret", secret).statusCode() != 200) {
						webhookFailures.incrementAndGet();
					}
				}
				catch (Exception ex) {
					webhookFailures.incrementAndGet();
				}
				lastEventNanos.accumulateAndGet(System.nanoTime(), Math::max);
				sent.incrementAndGet();
			}, event * periodMicros, TimeUnit.MICROSECONDS);
		}
		storm.shutdown();
		storm.awaitTermination(seconds + 60L, TimeUnit.SECONDS);
		long stormNanos = lastEventNanos.get() - startNanos;

		// after the storm: until every replica serves every page with its attendee's last
		// message, the readers still reading; bounded
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
		Map<String, Long> freshAfter = new LinkedHashMap<>();
		while (freshAfter.size() < replicas.size() * pages.size() && System.nanoTime() < deadline) {
			for (String replica : replicas) {
				for (String page : pages) {
					String key = replica + page;
					if (freshAfter.containsKey(key)) {
						continue;
					}
					String attendee = page.substring("/attendees/".length(), page.indexOf("/chats"));
					if (get(key).body().contains("\"timestamp\":\"" + lastTimestamp.get(attendee) + "\"")) {
						freshAfter.put(key, (System.nanoTime() - lastEventNanos.get()) / 1_000_000);
					}
				}
			}
			pause(20);
		}
		reading.set(false);
		for (Thread reader : readers) {
			reader.join(10_000);
		}
		Map<String, Long> callsAfter = callsByAttendee(sim, attendees);

		double stormSeconds = stormNanos / 1e9;
		long bound = (long) (pageQueries.size() * Math.ceil(stormSeconds * 1000 / intervalMs)) + pageQueries.size();
		System.out.printf("events %d%n", sent.get());
		System.out.printf("webhook_failures %d%n", webhookFailures.get());
		System.out.printf("storm_seconds %.1f%n", stormSeconds);
		System.out.printf("reads %d%n", reads.get());
		System.out.printf("read_failures %d%n", readFailures.get());
		System.out.printf("pages_per_attendee %d%n", pageQueries.size());
		System.out.printf("bound_per_attendee %d%n", bound);
		long worst = freshAfter.values().stream().mapToLong(Long::longValue).max().orElse(-1);
		System.out.printf("fresh_pages %d of %d%n", freshAfter.size(), replicas.size() * pages.size());
		System.out.printf("max_ms_to_fresh_after_storm %d%n", (freshAfter.size() == replicas.size() * pages.size()) ? worst : -1);
		for (String attendee : attendees) {
			long calls = callsAfter.getOrDefault(attendee, 0L) - callsBefore.getOrDefault(attendee, 0L);
			long attendeeWorst = freshAfter.entrySet()
				.stream()
				.filter((entry) -> entry.getKey().contains("/attendees/" + attendee + "/"))
				.mapToLong(Map.Entry::getValue)
				.max()
				.orElse(-1);
			System.out.printf("attendee %s events %d calls %d bound %d ms_to_fresh %d%n", attendee,
					total / attendees.size(), calls, bound, attendeeWorst);
		}
		System.exit(0);
	}

	private static Map<String, Long> callsByAttendee(String sim, List<String> attendees) throws Exception {
		String stats = get(sim + "/__simulator/stats").body();
		Map<String, Long> calls = new HashMap<>();
		for (String attendee : attendees) {
			Matcher matcher = Pattern.compile("\"" + Pattern.quote(attendee) + "\":(\\d+)").matcher(stats);
			calls.put(attendee, matcher.find() ? Long.parseLong(matcher.group(1)) : 0L);
		}
		return calls;
	}

	private static String find(Pattern pattern, String text) {
		Matcher matcher = pattern.matcher(text);
		if (!matcher.find()) {
			throw new IllegalStateException(pattern + " not in " + text.substring(0, Math.min(300, text.length())));
		}
		return matcher.group(1);
	}

	private static void check(HttpResponse<String> response, String what) {
		if (response.statusCode() != 200) {
			throw new IllegalStateException(what + ": " + response.statusCode() + " " + response.body());
		}
	}

	private static HttpResponse<String> get(String url, String... headers) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
		for (int i = 0; i + 1 < headers.length; i += 2) {
			request.header(headers[i], headers[i + 1]);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static HttpResponse<String> post(String url, String json, String header, String value) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
			.timeout(Duration.ofSeconds(10))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json));
		if (header != null) {
			request.header(header, value);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static void pause(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
