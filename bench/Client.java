import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The benchmark's precise client, for what wrk cannot tell: which request was the one that
 * went upstream, and when. Single-file source, Java 17+: {@code java bench/Client.java MODE
 * key=value...}. It speaks HTTP/1.1 over plain sockets, one per simulated client, so that
 * its own cost stays far below the proxy's (the JDK HttpClient, tried first, was slower than
 * the proxy it measured). Every mode prints {@code RESULT key=value...} lines (expiry: one per
 * target and round, and one {@code EXPIRY} line per expiry; webhook: one {@code WEBHOOK} line
 * per event). Bounded: every wait has a time limit.
 * <ul>
 * <li>{@code coalesce url= n= warm= stats=}: opens n connections with a warm-up burst on
 * {@code warm}, then sends n identical requests to {@code url} at once;</li>
 * <li>{@code expiry url=|target.LABEL=... connections= seconds= stats= [rounds= warm_ms=
 * ttl= prewarm_ms= around_ms= poll_ms= dump=]}: keeps the connections busy on one key and reports each
 * expiry, found from the answers, with its upstream calls and the latencies of the
 * requests around it and between expiries ({@link #expiry});</li>
 * <li>{@code webhook url= hook= secret= message= stats= [connections= events= ...]}: time
 * from a webhook event's 200 to the first answer with the new page ({@link #webhook});</li>
 * <li>{@code fill base= n= concurrency= limit= epoch=}: caches n distinct pages;</li>
 * <li>{@code rate url= rate= seconds= [connections= warm_seconds= header.NAME=value]}: open loop
 * at a fixed arrival rate, latency measured from each request's intended send time
 * ({@link #rate}).</li>
 * </ul>
 */
public class Client {

	static final Pattern CALLS = Pattern.compile("\"calls\"\\s*:\\s*(\\d+)");

	public static void main(String[] args) throws Exception {
		Map<String, String> options = new LinkedHashMap<>();
		for (int i = 1; i < args.length; i++) {
			String[] option = args[i].split("=", 2);
			options.put(option[0], option[1]);
		}
		switch (args[0]) {
			case "coalesce" -> coalesce(options);
			case "expiry" -> expiry(options);
			case "webhook" -> webhook(options);
			case "fill" -> fill(options);
			case "rate" -> rate(options);
			default -> throw new IllegalArgumentException("Unknown mode " + args[0]);
		}
		System.exit(0);
	}

	/**
	 * Virtual threads where the JDK has them (21+): one core then serves all the simulated
	 * clients without switching between as many kernel threads; platform threads otherwise.
	 */
	static ExecutorService threads(int n) {
		if (System.getenv("BENCH_CLIENT_PLATFORM_THREADS") == null) {
			try {
				return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
			}
			catch (ReflectiveOperationException ex) {
				// Java 17: platform threads
			}
		}
		return Executors.newFixedThreadPool(n);
	}

	static long upstreamCalls(String stats) throws IOException {
		try (Connection connection = new Connection(stats)) {
			return calls(connection.get(stats).body());
		}
	}

	static List<Connection> connect(String url, int n) throws IOException {
		List<Connection> connections = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			connections.add(new Connection(url));
		}
		return connections;
	}

	/** 100 identical requests released together on a cold key. */
	static void coalesce(Map<String, String> options) throws Exception {
		int n = Integer.parseInt(options.get("n"));
		ExecutorService pool = threads(n);
		List<Connection> connections = connect(options.get("url"), n);
		for (int round = 0; round < 5; round++) {
			burst(connections, pool, options.get("warm"));
		}
		// the same burst on the cached page: what the client and one core take for n answers
		long[] control = burst(connections, pool, options.get("warm")).stream()
			.mapToLong(Outcome::nanos)
			.sorted()
			.toArray();
		long before = upstreamCalls(options.get("stats"));
		List<Outcome> outcomes = burst(connections, pool, options.get("url"));
		long calls = upstreamCalls(options.get("stats")) - before;
		long[] latencies = outcomes.stream().mapToLong(Outcome::nanos).sorted().toArray();
		Map<String, Integer> statuses = new TreeMap<>();
		Map<String, Integer> cacheStatuses = new TreeMap<>();
		for (Outcome outcome : outcomes) {
			statuses.merge(String.valueOf(outcome.status()), 1, Integer::sum);
			cacheStatuses.merge(kind(outcome.cacheStatus()), 1, Integer::sum);
		}
		System.out.printf(
				"RESULT requests=%d upstream_calls=%d statuses=%s cache=%s p50_ms=%.1f max_ms=%.1f min_ms=%.1f hit_burst_p50_ms=%.1f hit_burst_max_ms=%.1f%n",
				outcomes.size(), calls, compact(statuses), compact(cacheStatuses), percentile(latencies, 50) / 1e6,
				latencies[latencies.length - 1] / 1e6, latencies[0] / 1e6, percentile(control, 50) / 1e6,
				control[control.length - 1] / 1e6);
		pool.shutdownNow();
	}

	/** One request on each connection, all released at once. */
	static List<Outcome> burst(List<Connection> connections, ExecutorService pool, String url) throws Exception {
		CountDownLatch ready = new CountDownLatch(connections.size());
		CountDownLatch go = new CountDownLatch(1);
		List<Future<Outcome>> futures = new ArrayList<>();
		for (Connection connection : connections) {
			futures.add(pool.submit(() -> {
				ready.countDown();
				go.await(30, TimeUnit.SECONDS);
				long start = System.nanoTime();
				Reply reply = connection.get(url);
				return new Outcome(start, System.nanoTime() - start, reply.status(), reply.cacheStatus());
			}));
		}
		if (!ready.await(30, TimeUnit.SECONDS)) {
			throw new IllegalStateException("Workers not ready");
		}
		go.countDown();
		List<Outcome> outcomes = new ArrayList<>();
		for (Future<Outcome> future : futures) {
			outcomes.add(future.get(60, TimeUnit.SECONDS));
		}
		return outcomes;
	}

	/** The answers that show an expiry being handled: anything but a fresh hit or an error. */
	static final Set<String> EXPIRY_KINDS = Set.of("revalidating", "stored", "collapsed", "refreshed", "stale");

	/**
	 * Connections kept busy on one key across several expiries. Targets: {@code url=} alone,
	 * or several {@code target.LABEL=url}, measured one after another, {@code rounds} times,
	 * the order rotating every round (the connections of every target stay open). Each round
	 * loads its target for {@code warm_ms} (not recorded), then {@code seconds}; meanwhile a
	 * thread polls the stand-in's call count every {@code poll_ms}, which places each
	 * upstream call in time.
	 * <p>
	 * An expiry is found from the answers, whatever the proxy's settings: the answers that
	 * are not fresh hits ({@link #EXPIRY_KINDS}: with stale-while-revalidate the expired
	 * copy, {@code detail=stale-while-revalidate}; without it the caller that fetched,
	 * {@code stored}, and those that waited for it, {@code collapsed}), taken in the order
	 * the requests started. Such an answer starts a new expiry when the page was provably
	 * refreshed since the current expiry's answers: a fresh hit was asked after one of them
	 * had been answered, and was itself answered before this request was asked (so the
	 * order is the server's, however long the requests took; concurrent requests never
	 * split an expiry); or when a fresh hit started since the previous one and it started
	 * more than {@code ttl} (the proxy's TTL, default 2s) after the current expiry's first
	 * (for answers held back so long that the first rule cannot see the refresh). Its moment
	 * is the start of its first such request; its span ends when the last of them was
	 * answered.
	 * Requests "around" it started within {@code around_ms} of its moment, before or after;
	 * every other request is "between" expiries. An
	 * upstream call belongs to the expiry whose span (widened by 50 ms) overlaps the poll
	 * interval in which the count rose.
	 */
	static void expiry(Map<String, String> options) throws Exception {
		int n = Integer.parseInt(options.get("connections"));
		long measure = TimeUnit.SECONDS.toNanos(Long.parseLong(options.get("seconds")));
		long warm = millis(options, "warm_ms", 1000);
		long prewarm = millis(options, "prewarm_ms", 0);
		int rounds = Integer.parseInt(options.getOrDefault("rounds", "1"));
		long around = millis(options, "around_ms", 250);
		long ttl = duration(options.getOrDefault("ttl", "2s"));
		long poll = millis(options, "poll_ms", 5);
		Map<String, String> targets = targets(options);
		ExecutorService pool = threads(n);
		Map<String, List<Connection>> connections = new LinkedHashMap<>();
		for (Map.Entry<String, String> target : targets.entrySet()) {
			connections.put(target.getKey(), connect(target.getValue(), n));
		}
		// the client's own code warmed up on every target, not recorded
		for (String label : targets.keySet()) {
			load(targets.get(label), connections.get(label), pool, System.nanoTime(), prewarm);
		}
		List<String> labels = new ArrayList<>(targets.keySet());
		for (int round = 1; round <= rounds; round++) {
			for (int i = 0; i < labels.size(); i++) {
				String label = labels.get((i + round - 1) % labels.size());
				long origin = System.nanoTime();
				CallPoller calls = CallPoller.start(options.get("stats"), origin, poll);
				Log all = load(targets.get(label), connections.get(label), pool, origin, warm + measure);
				List<long[]> samples = calls.settleAndStop();
				if (options.containsKey("dump")) {
					dump(Path.of(options.get("dump") + "-" + label + "-" + round + ".tsv"), all, samples);
				}
				analyseExpiries(label, round, all, samples, warm, warm + measure, ttl, around);
			}
		}
		pool.shutdownNow();
	}

	/** Every connection asks for the url again as soon as answered, for the duration. */
	static Log load(String url, List<Connection> connections, ExecutorService pool, long origin, long duration)
			throws Exception {
		List<Future<Log>> futures = new ArrayList<>();
		for (Connection connection : connections) {
			futures.add(pool.submit(() -> {
				Log log = new Log();
				while (System.nanoTime() - origin < duration) {
					long start = System.nanoTime();
					Reply reply = connection.get(url);
					log.add(start - origin, System.nanoTime() - start, reply.status(), kind(reply));
				}
				return log;
			}));
		}
		Log all = new Log();
		for (Future<Log> future : futures) {
			all.addAll(future.get(TimeUnit.NANOSECONDS.toSeconds(duration) + 60, TimeUnit.SECONDS));
		}
		return all;
	}

	/** Every request (start, latency in ns, status, kind) and call-count sample, for a closer look. */
	static void dump(Path file, Log log, List<long[]> samples) throws IOException {
		StringBuilder out = new StringBuilder("start_ns\tlatency_ns\tstatus\tkind\n");
		for (int i = 0; i < log.size; i++) {
			out.append(log.starts[i]).append('\t').append(log.nanos[i]).append('\t').append(log.statuses[i]).append('\t')
				.append(log.kinds[i]).append('\n');
		}
		for (long[] sample : samples) {
			out.append(sample[0]).append('\t').append(sample[1] - sample[0]).append("\t0\tcalls=").append(sample[2])
				.append('\n');
		}
		Files.writeString(file, out);
	}

	/** A duration as Spring Boot writes it here: {@code 250ms}, {@code 2s}, {@code 10m}; in nanoseconds. */
	static long duration(String value) {
		Matcher matcher = Pattern.compile("(\\d+)(ms|s|m)").matcher(value.trim());
		if (!matcher.matches()) {
			throw new IllegalArgumentException("Not a duration: " + value);
		}
		long amount = Long.parseLong(matcher.group(1));
		return switch (matcher.group(2)) {
			case "ms" -> TimeUnit.MILLISECONDS.toNanos(amount);
			case "s" -> TimeUnit.SECONDS.toNanos(amount);
			default -> TimeUnit.MINUTES.toNanos(amount);
		};
	}

	static long millis(Map<String, String> options, String name, long otherwise) {
		return TimeUnit.MILLISECONDS.toNanos(Long.parseLong(options.getOrDefault(name, String.valueOf(otherwise))));
	}

	/** {@code target.LABEL=url} options in their order, or {@code url=} as "proxy". */
	static Map<String, String> targets(Map<String, String> options) {
		Map<String, String> targets = new LinkedHashMap<>();
		options.forEach((key, value) -> {
			if (key.startsWith("target.")) {
				targets.put(key.substring("target.".length()), value);
			}
		});
		if (targets.isEmpty()) {
			targets.put("proxy", options.get("url"));
		}
		return targets;
	}

	/** An expiry: the answers of one expired page, grouped. */
	static final class Expiry {

		final long start;

		long end;

		final String first;

		final Map<String, Integer> kinds = new TreeMap<>();

		long calls;

		final List<Long> around = new ArrayList<>();

		Expiry(long start, long end, String first) {
			this.start = start;
			this.end = end;
			this.first = first;
		}

		boolean near(long time, long margin) {
			return Math.abs(time - this.start) <= margin;
		}

	}

	static void analyseExpiries(String label, int round, Log log, List<long[]> samples, long warm, long end,
			long ttl, long around) {
		int n = log.size;
		Integer[] order = new Integer[n];
		for (int i = 0; i < n; i++) {
			order[i] = i;
		}
		Arrays.sort(order, (a, b) -> Long.compare(log.starts[a], log.starts[b]));
		List<Expiry> expiries = new ArrayList<>();
		// the earliest answer of the current expiry, and the earliest answer of a fresh hit
		// asked after it: once a request starts after the latter, the page was refreshed
		long firstAnswered = Long.MAX_VALUE;
		long refreshedBy = Long.MAX_VALUE;
		boolean hitSince = false;
		for (int i : order) {
			if (log.kinds[i].equals("hit")) {
				hitSince = true;
				if (log.starts[i] > firstAnswered) {
					refreshedBy = Math.min(refreshedBy, log.starts[i] + log.nanos[i]);
				}
				continue;
			}
			if (!EXPIRY_KINDS.contains(log.kinds[i])) {
				continue;
			}
			long start = log.starts[i];
			long answered = start + log.nanos[i];
			Expiry last = expiries.isEmpty() ? null : expiries.get(expiries.size() - 1);
			if (last == null || start > refreshedBy || (hitSince && start - last.start > ttl)) {
				last = new Expiry(start, answered, log.kinds[i]);
				expiries.add(last);
			}
			if (last.kinds.isEmpty()) {
				firstAnswered = answered;
				refreshedBy = Long.MAX_VALUE;
			}
			firstAnswered = Math.min(firstAnswered, answered);
			hitSince = false;
			last.end = Math.max(last.end, answered);
			last.kinds.merge(log.kinds[i], 1, Integer::sum);
		}
		// the expiries of the measured period; those of the warm-up only keep their
		// requests out of "between"
		List<Expiry> measured = expiries.stream().filter((e) -> e.start >= warm && e.start < end).toList();
		long calls = 0;
		long outside = 0;
		long slack = TimeUnit.MILLISECONDS.toNanos(50);
		for (int k = 1; k < samples.size(); k++) {
			long rise = samples.get(k)[2] - samples.get(k - 1)[2];
			long from = samples.get(k - 1)[0];
			long to = samples.get(k)[1];
			if (rise <= 0 || to < warm) {
				continue;
			}
			Expiry owner = null;
			for (Expiry expiry : expiries) {
				if (from <= expiry.end + slack && to >= expiry.start - slack) {
					owner = expiry;
				}
			}
			if (owner != null && owner.start < warm) {
				continue;
			}
			calls += rise;
			if (owner != null) {
				owner.calls += rise;
			}
			else {
				outside += rise;
			}
		}
		int fiveXx = 0;
		int non200 = 0;
		Map<String, Integer> kinds = new TreeMap<>();
		List<Long> all = new ArrayList<>();
		List<Long> between = new ArrayList<>();
		List<Long> aroundAll = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			if (log.starts[i] < warm) {
				continue;
			}
			fiveXx += (log.statuses[i] >= 500) ? 1 : 0;
			non200 += (log.statuses[i] != 200) ? 1 : 0;
			kinds.merge(log.kinds[i], 1, Integer::sum);
			all.add(log.nanos[i]);
			Expiry near = null;
			for (Expiry expiry : expiries) {
				if (expiry.near(log.starts[i], around)) {
					near = expiry;
				}
			}
			if (near == null) {
				between.add(log.nanos[i]);
			}
			else if (near.start >= warm) {
				near.around.add(log.nanos[i]);
				aroundAll.add(log.nanos[i]);
			}
		}
		List<Double> p99s = new ArrayList<>();
		int number = 0;
		for (Expiry expiry : measured) {
			long[] sorted = sorted(expiry.around);
			double p99 = percentileMs(sorted, 99);
			p99s.add(p99);
			System.out.printf(Locale.ROOT,
					"EXPIRY target=%s round=%d n=%d at_s=%.3f first=%s answers=%s span_ms=%.1f upstream_calls=%d requests_around=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f%n",
					label, round, ++number, (expiry.start - warm) / 1e9, expiry.first, compact(expiry.kinds),
					(expiry.end - expiry.start) / 1e6, expiry.calls, sorted.length, percentileMs(sorted, 50), p99,
					percentileMs(sorted, 100));
		}
		long[] allSorted = sorted(all);
		long[] betweenSorted = sorted(between);
		long[] aroundSorted = sorted(aroundAll);
		double p99Between = percentileMs(betweenSorted, 99);
		double p99Around = percentileMs(aroundSorted, 99);
		double[] expiryP99s = p99s.stream().mapToDouble(Double::doubleValue).sorted().toArray();
		long[] spans = measured.stream().mapToLong((e) -> e.end - e.start).sorted().toArray();
		double interval = (measured.size() < 2) ? Double.NaN
				: (measured.get(measured.size() - 1).start - measured.get(0).start) / 1e9 / (measured.size() - 1);
		System.out.printf(Locale.ROOT,
				"RESULT target=%s round=%d requests=%d rps=%.1f expiries=%d upstream_calls=%d calls_outside_expiries=%d calls_per_expiry=%.2f status_5xx=%d non200=%d cache=%s p50_ms=%.2f p99_ms=%.2f max_ms=%.2f requests_between=%d p99_between_ms=%.2f requests_around=%d p99_around_ms=%.2f around_between_ratio=%.2f expiry_p99_median_ms=%.2f expiry_p99_max_ms=%.2f span_median_ms=%.1f span_max_ms=%.1f expiry_interval_s=%.3f%n",
				label, round, allSorted.length, allSorted.length / ((end - warm) / 1e9), measured.size(), calls,
				outside, measured.isEmpty() ? Double.NaN : (double) calls / measured.size(), fiveXx, non200,
				compact(kinds), percentileMs(allSorted, 50), percentileMs(allSorted, 99),
				percentileMs(allSorted, 100), betweenSorted.length, p99Between, aroundSorted.length, p99Around,
				(p99Between > 0) ? p99Around / p99Between : Double.NaN,
				(expiryP99s.length == 0) ? Double.NaN : expiryP99s[expiryP99s.length / 2],
				(expiryP99s.length == 0) ? Double.NaN : expiryP99s[expiryP99s.length - 1], percentileMs(spans, 50),
				percentileMs(spans, 100), interval);
	}

	static long[] sorted(List<Long> values) {
		return values.stream().mapToLong(Long::longValue).sorted().toArray();
	}

	/** Nearest-rank percentile of sorted nanoseconds, in milliseconds; NaN when empty. */
	static double percentileMs(long[] sorted, double p) {
		return (sorted.length == 0) ? Double.NaN : percentile(sorted, p) / 1e6;
	}

	/**
	 * The stand-in's call count, polled from a thread of its own: samples of (sent, answered,
	 * count), nanoseconds since the round's origin.
	 */
	static final class CallPoller implements Runnable {

		private final String url;

		private final long origin;

		private final long interval;

		private final List<long[]> samples = new ArrayList<>();

		private final Thread thread;

		private volatile boolean stopping;

		private volatile long lastChange;

		private volatile IOException failure;

		private CallPoller(String url, long origin, long interval) {
			this.url = url;
			this.origin = origin;
			this.interval = interval;
			this.thread = new Thread(this, "call-poller");
			this.thread.setDaemon(true);
		}

		static CallPoller start(String url, long origin, long interval) {
			CallPoller poller = new CallPoller(url, origin, interval);
			poller.thread.start();
			return poller;
		}

		@Override
		public void run() {
			try (Connection connection = new Connection(this.url)) {
				long previous = -1;
				while (!this.stopping) {
					long sent = System.nanoTime() - this.origin;
					long count = calls(connection.get(this.url).body());
					long answered = System.nanoTime() - this.origin;
					synchronized (this.samples) {
						this.samples.add(new long[] { sent, answered, count });
					}
					if (count != previous) {
						previous = count;
						this.lastChange = System.nanoTime();
					}
					LockSupport.parkNanos(this.interval);
				}
			}
			catch (IOException ex) {
				this.failure = ex;
			}
		}

		/**
		 * Waits until the count has not moved for 200 ms (at most 5 s: a refresh started by
		 * the last requests is counted), then stops.
		 */
		List<long[]> settleAndStop() throws InterruptedException {
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
			long quiet = TimeUnit.MILLISECONDS.toNanos(200);
			long asked = System.nanoTime();
			while (System.nanoTime() < deadline && this.thread.isAlive()
					&& System.nanoTime() - Math.max(this.lastChange, asked) < quiet) {
				Thread.sleep(10);
			}
			this.stopping = true;
			this.thread.join(10_000);
			if (this.failure != null) {
				throw new IllegalStateException("Polling " + this.url + " failed", this.failure);
			}
			synchronized (this.samples) {
				return new ArrayList<>(this.samples);
			}
		}

	}

	static long calls(String stats) {
		Matcher matcher = CALLS.matcher(stats);
		if (!matcher.find()) {
			throw new IllegalStateException("No call count in " + stats);
		}
		return Long.parseLong(matcher.group(1));
	}

	/** The stand-in's call count once it has not moved for 100 ms (at most 5 s). */
	static long settledCalls(Connection connection, String stats) throws IOException, InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
		long count = calls(connection.get(stats).body());
		long since = System.nanoTime();
		while (System.nanoTime() < deadline && System.nanoTime() - since < TimeUnit.MILLISECONDS.toNanos(100)) {
			Thread.sleep(20);
			long now = calls(connection.get(stats).body());
			if (now != count) {
				count = now;
				since = System.nanoTime();
			}
		}
		return count;
	}

	/**
	 * Event-to-refresh latency of the webhook: {@code connections} connections keep asking
	 * for {@code url} (each pausing {@code pause_ms} between requests) while, {@code events}
	 * times (after {@code warm_events} not recorded), the chat at the top of that page gets
	 * a new message at the stand-in ({@code POST message?chat_id=}, which changes the chat
	 * and, with no webhook configured there, posts nothing) and then this client posts
	 * the Unipile-style {@code message_received} event to {@code hook} with the secret in
	 * {@code secret_header}. Latency: from the moment the event's 200 was read to the
	 * moment the first answer with a different {@code ETag} was read, by any connection.
	 * Upstream calls per event: the stand-in's count, settled, before the message and after
	 * the refresh.
	 */
	static void webhook(Map<String, String> options) throws Exception {
		String url = options.get("url");
		String hook = options.get("hook");
		String stats = options.get("stats");
		int n = Integer.parseInt(options.getOrDefault("connections", "4"));
		int events = Integer.parseInt(options.getOrDefault("events", "20"));
		int warmEvents = Integer.parseInt(options.getOrDefault("warm_events", "3"));
		long pause = millis(options, "pause_ms", 0);
		long timeout = millis(options, "timeout_ms", 5000);
		String label = options.getOrDefault("target", "proxy");
		Matcher attendeeMatcher = Pattern.compile("/attendees/([^/?]+)/").matcher(url);
		if (!attendeeMatcher.find()) {
			throw new IllegalArgumentException("No attendee in " + url);
		}
		String attendee = attendeeMatcher.group(1);
		Connection main = new Connection(url);
		Reply page = main.get(url);
		for (int attempt = 1; attempt < 10 && page.status() != 200; attempt++) {
			page = main.get(url);
		}
		Matcher chat = Pattern.compile("\"items\"\\s*:\\s*\\[\\s*\\{[^{}]*?\"id\"\\s*:\\s*\"([^\"]+)\"").matcher(page.body());
		Matcher account = Pattern.compile("\"account_id\"\\s*:\\s*\"([^\"]+)\"").matcher(page.body());
		if (page.status() != 200 || !chat.find() || !account.find()) {
			throw new IllegalStateException("No chat in the page: " + page.status() + " " + page.body());
		}
		String chatId = chat.group(1);
		String accountId = account.group(1);
		Watch watch = new Watch();
		ExecutorService pool = threads(n);
		List<Future<Long>> pollers = new ArrayList<>();
		for (Connection connection : connect(url, n)) {
			pollers.add(pool.submit(() -> {
				long answers = 0;
				while (!watch.done) {
					long start = System.nanoTime();
					Reply reply = connection.get(url);
					watch.seen(start, System.nanoTime(), reply);
					answers++;
					if (pause > 0) {
						LockSupport.parkNanos(pause);
					}
				}
				return answers;
			}));
		}
		Connection control = new Connection(options.get("message"));
		Connection webhook = new Connection(hook);
		Connection counter = new Connection(stats);
		Map<String, String> headers = Map.of(options.getOrDefault("secret_header", "X-Webhook-Secret"),
				options.get("secret"), "Content-Type", "application/json");
		List<Double> latencies = new ArrayList<>();
		List<Double> hookTimes = new ArrayList<>();
		long totalCalls = 0;
		long maxCalls = 0;
		long minCalls = Long.MAX_VALUE;
		int failed = 0;
		long begun = System.nanoTime();
		for (int i = -warmEvents; i < events; i++) {
			String old = main.get(url).etag();
			long before = settledCalls(counter, stats);
			Reply changed = control.request("POST", options.get("message") + "?chat_id=" + chatId, Map.of(), null);
			if (changed.status() != 200) {
				throw new IllegalStateException("The stand-in did not take the message: " + changed.body());
			}
			Event event = new Event(old);
			watch.armed = event;
			String body = "{\"event\":\"message_received\",\"account_id\":\"" + accountId + "\",\"chat_id\":\"" + chatId
					+ "\",\"timestamp\":\"" + Instant.now() + "\",\"webhook_name\":\"chat-proxy\",\"message_id\":\"msg_bench_"
					+ (i + warmEvents) + "\",\"message\":\"benchmark\",\"sender\":{\"attendee_id\":\"" + attendee
					+ "\"},\"attendees\":[{\"attendee_id\":\"" + attendee + "\"}]}";
			long posted = System.nanoTime();
			Reply answer = webhook.request("POST", hook, headers, body.getBytes(StandardCharsets.UTF_8));
			long ok = System.nanoTime();
			boolean refreshed = event.latch.await(timeout, TimeUnit.NANOSECONDS);
			long after = settledCalls(counter, stats);
			watch.armed = null;
			if (i < 0) {
				continue;
			}
			long calls = after - before;
			long[] first = null;
			int oldAfter = 0;
			for (long[] seen : event.answers) {
				if (seen[2] == 1 && (first == null || seen[1] < first[1])) {
					first = seen;
				}
			}
			for (long[] seen : event.answers) {
				oldAfter += (seen[2] == 0 && seen[0] > ok && (first == null || seen[1] <= first[1])) ? 1 : 0;
			}
			double latency = (answer.status() == 200 && refreshed && first != null) ? (first[1] - ok) / 1e6
					: Double.NaN;
			if (Double.isNaN(latency)) {
				failed++;
			}
			else {
				latencies.add(latency);
			}
			hookTimes.add((ok - posted) / 1e6);
			totalCalls += calls;
			maxCalls = Math.max(maxCalls, calls);
			minCalls = Math.min(minCalls, calls);
			System.out.printf(Locale.ROOT,
					"WEBHOOK target=%s n=%d hook_status=%d hook_ms=%.2f latency_ms=%.2f first_started_after_200_ms=%.2f first_cache=%s old_answers_after_200=%d upstream_calls=%d%n",
					label, i + 1, answer.status(), (ok - posted) / 1e6, latency,
					(first == null) ? Double.NaN : (first[0] - ok) / 1e6,
					(first == null) ? "none" : KINDS.get((int) first[3]), oldAfter, calls);
		}
		double seconds = (System.nanoTime() - begun) / 1e9;
		watch.done = true;
		long answers = 0;
		for (Future<Long> poller : pollers) {
			answers += poller.get(60, TimeUnit.SECONDS);
		}
		long[] sorted = latencies.stream().mapToLong((ms) -> Math.round(ms * 1e6)).sorted().toArray();
		long[] hooks = hookTimes.stream().mapToLong((ms) -> Math.round(ms * 1e6)).sorted().toArray();
		System.out.printf(Locale.ROOT,
				"RESULT target=%s events=%d refreshed=%d missed=%d latency_p50_ms=%.2f latency_p95_ms=%.2f latency_max_ms=%.2f latency_min_ms=%.2f hook_p50_ms=%.2f hook_max_ms=%.2f upstream_calls=%d calls_per_event=%.2f calls_min=%d calls_max=%d poll_rps=%.0f%n",
				label, events, sorted.length, failed, percentileMs(sorted, 50), percentileMs(sorted, 95),
				percentileMs(sorted, 100), percentileMs(sorted, 0), percentileMs(hooks, 50), percentileMs(hooks, 100),
				totalCalls, (events == 0) ? Double.NaN : (double) totalCalls / events,
				(events == 0) ? 0 : minCalls, maxCalls, answers / seconds);
		pool.shutdownNow();
	}

	/** Cache-Status kinds, numbered for the long[] records of {@link Event}. */
	static final List<String> KINDS = List.of("hit", "revalidating", "stored", "collapsed", "refreshed", "stale",
			"none", "error");

	/** What the polling connections saw while an event was being applied. */
	static final class Event {

		final String oldEtag;

		final CountDownLatch latch = new CountDownLatch(1);

		/** (started, answered, 1 when new content, kind), nanoTime. */
		final Queue<long[]> answers = new ConcurrentLinkedQueue<>();

		Event(String oldEtag) {
			this.oldEtag = oldEtag;
		}

	}

	static final class Watch {

		volatile boolean done;

		volatile Event armed;

		void seen(long start, long end, Reply reply) {
			Event event = this.armed;
			if (event == null) {
				return;
			}
			boolean changed = reply.status() == 200 && !reply.etag().equals(event.oldEtag);
			event.answers.add(new long[] { start, end, changed ? 1 : 0, KINDS.indexOf(kind(reply)) });
			if (changed) {
				event.latch.countDown();
			}
		}

	}

	/** Distinct pages cached one after another by a few connections. */
	static void fill(Map<String, String> options) throws Exception {
		int n = Integer.parseInt(options.get("n"));
		int concurrency = Integer.parseInt(options.get("concurrency"));
		Instant epoch = Instant.parse(options.get("epoch"));
		String base = options.get("base") + "?limit=" + options.get("limit") + "&before=";
		ExecutorService pool = threads(concurrency);
		AtomicInteger next = new AtomicInteger();
		List<Future<long[]>> futures = new ArrayList<>();
		for (int c = 0; c < concurrency; c++) {
			futures.add(pool.submit(() -> {
				long[] totals = new long[3]; // stored, not stored, body bytes of the stored
				try (Connection connection = new Connection(base)) {
					for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
						String before = epoch.plusMillis(i).toString();
						if (before.length() == 20) { // Instant drops ".000"
							before = before.substring(0, 19) + ".000Z";
						}
						Reply reply = connection.get(base + before);
						boolean stored = reply.status() == 200 && reply.cacheStatus().contains("stored");
						totals[stored ? 0 : 1]++;
						totals[2] += stored ? reply.bodyLength() : 0;
					}
				}
				return totals;
			}));
		}
		long[] totals = new long[3];
		for (Future<long[]> future : futures) {
			long[] part = future.get(300, TimeUnit.SECONDS);
			for (int i = 0; i < 3; i++) {
				totals[i] += part[i];
			}
		}
		System.out.printf("RESULT stored=%d failed=%d body_bytes_total=%d body_bytes_mean=%.1f%n", totals[0],
				totals[1], totals[2], (totals[0] == 0) ? 0.0 : (double) totals[2] / totals[0]);
		pool.shutdownNow();
	}

	/**
	 * Open loop at a fixed arrival rate, as wrk2 does: request i is due at
	 * {@code start + i / rate}, whatever became of the requests before it, and its latency
	 * runs from that intended send time to its answer, so that a stall of the server counts
	 * against every request it delayed, not just the one it held (no coordinated omission).
	 * {@code connections} keep-alive connections (default 64) take the due requests in
	 * turn; when all are busy a due request waits, and that wait is part of its latency.
	 * {@code warm_seconds} (default 2) at the same rate come first, not recorded. Reports
	 * the rate reached, p50, p99, p99.9 and the largest latency in µs, how many requests
	 * were sent more than 1 ms after they were due ({@code late}), non-200 answers and
	 * socket errors.
	 */
	static void rate(Map<String, String> options) throws Exception {
		double rate = Double.parseDouble(options.get("rate"));
		int n = Integer.parseInt(options.getOrDefault("connections", "64"));
		long interval = Math.max(1, Math.round(1e9 / rate));
		long warm = TimeUnit.SECONDS.toNanos(Long.parseLong(options.getOrDefault("warm_seconds", "2")));
		long measure = TimeUnit.SECONDS.toNanos(Long.parseLong(options.get("seconds")));
		long warmCount = warm / interval;
		long total = warmCount + measure / interval;
		String url = options.get("url");
		Map<String, String> headers = new LinkedHashMap<>();
		options.forEach((key, value) -> {
			if (key.startsWith("header.")) {
				headers.put(key.substring("header.".length()), value);
			}
		});
		ExecutorService pool = threads(n);
		List<Connection> connections = connect(url, n);
		AtomicLong next = new AtomicLong();
		long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
		List<Future<long[]>> futures = new ArrayList<>();
		for (Connection connection : connections) {
			futures.add(pool.submit(() -> {
				// latencies of the recorded requests, then late, non-200 and error counts
				long[] latencies = new long[1024];
				int size = 0;
				long late = 0;
				long non200 = 0;
				long errors = 0;
				for (long i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
					long due = start + i * interval;
					for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
						LockSupport.parkNanos(wait);
					}
					boolean recorded = i >= warmCount;
					late += (recorded && System.nanoTime() - due > 1_000_000) ? 1 : 0;
					int status;
					try {
						status = connection.request("GET", url, headers, null).status();
					}
					catch (IOException ex) {
						connection.close();
						status = -1;
					}
					long latency = System.nanoTime() - due;
					if (!recorded) {
						continue;
					}
					errors += (status == -1) ? 1 : 0;
					non200 += (status != -1 && status != 200) ? 1 : 0;
					if (size == latencies.length) {
						latencies = Arrays.copyOf(latencies, size * 2);
					}
					latencies[size++] = latency;
				}
				long[] result = Arrays.copyOf(latencies, size + 3);
				result[size] = late;
				result[size + 1] = non200;
				result[size + 2] = errors;
				return result;
			}));
		}
		long[] all = new long[0];
		long late = 0;
		long non200 = 0;
		long errors = 0;
		for (Future<long[]> future : futures) {
			long[] part = future.get(TimeUnit.NANOSECONDS.toSeconds(warm + measure) + 120, TimeUnit.SECONDS);
			int size = part.length - 3;
			late += part[size];
			non200 += part[size + 1];
			errors += part[size + 2];
			int from = all.length;
			all = Arrays.copyOf(all, from + size);
			System.arraycopy(part, 0, all, from, size);
		}
		long elapsed = System.nanoTime() - (start + warmCount * interval);
		Arrays.sort(all);
		System.out.printf(Locale.ROOT,
				"RESULT requests=%d target_rps=%.1f rps=%.1f p50_us=%d p99_us=%d p999_us=%d max_us=%d late=%d non2xx=%d errors=%d%n",
				all.length, rate, all.length / (elapsed / 1e9), percentile(all, 50) / 1000, percentile(all, 99) / 1000,
				percentile(all, 99.9) / 1000, (all.length == 0) ? 0 : all[all.length - 1] / 1000, late, non200,
				errors);
		for (Connection connection : connections) {
			connection.close();
		}
		pool.shutdownNow();
	}

	static String kind(Reply reply) {
		return (reply.status() == 200) ? kind(reply.cacheStatus()) : "error";
	}

	/** The answer's kind from its {@code Cache-Status} (CONTRACT.md section 3). */
	static String kind(String cacheStatus) {
		if (cacheStatus.contains("collapsed")) {
			return "collapsed";
		}
		if (cacheStatus.contains("fwd=request")) {
			return "refreshed";
		}
		if (cacheStatus.contains("stored")) {
			return "stored";
		}
		if (cacheStatus.contains("stale-while-revalidate")) {
			return "revalidating";
		}
		if (cacheStatus.contains("stale")) {
			return "stale";
		}
		if (cacheStatus.contains("hit")) {
			return "hit";
		}
		return "none";
	}

	static String compact(Map<String, Integer> counts) {
		StringBuilder out = new StringBuilder();
		counts.forEach((key, count) -> out.append(out.length() == 0 ? "" : ",").append(key).append(':').append(count));
		return out.toString();
	}

	/** Nearest-rank percentile of sorted values. */
	static long percentile(long[] sorted, double p) {
		if (sorted.length == 0) {
			return 0;
		}
		int rank = (int) Math.ceil(p / 100 * sorted.length);
		return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
	}

	record Outcome(long start, long nanos, int status, String cacheStatus) {
	}

	/** An answer; {@code body} holds at most its first 4,096 bytes. */
	record Reply(int status, String cacheStatus, int bodyLength, String body, String etag) {
	}

	/** One keep-alive HTTP/1.1 connection, reopened when the server closes it. */
	static final class Connection implements AutoCloseable {

		private final InetSocketAddress address;

		private final String host;

		private Socket socket;

		private InputStream in;

		private OutputStream out;

		Connection(String url) throws IOException {
			URI uri = URI.create(url);
			this.address = new InetSocketAddress(uri.getHost(), uri.getPort());
			this.host = uri.getHost() + ":" + uri.getPort();
			open();
		}

		private void open() throws IOException {
			this.socket = new Socket();
			this.socket.setTcpNoDelay(true);
			this.socket.connect(this.address, 5000);
			this.socket.setSoTimeout(30_000);
			this.in = new BufferedInputStream(this.socket.getInputStream(), 64 * 1024);
			this.out = this.socket.getOutputStream();
		}

		Reply get(String url) throws IOException {
			return request("GET", url, Map.of(), null);
		}

		Reply request(String method, String url, Map<String, String> headers, byte[] body) throws IOException {
			if (this.socket == null) {
				open();
			}
			URI uri = URI.create(url);
			String target = uri.getRawPath() + ((uri.getRawQuery() != null) ? "?" + uri.getRawQuery() : "");
			StringBuilder head = new StringBuilder(method).append(' ')
				.append(target)
				.append(" HTTP/1.1\r\nHost: ")
				.append(this.host)
				.append("\r\n");
			headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
			if (body != null || !method.equals("GET")) {
				head.append("Content-Length: ").append((body != null) ? body.length : 0).append("\r\n");
			}
			this.out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
			if (body != null) {
				this.out.write(body);
			}
			this.out.flush();
			return read();
		}

		private Reply read() throws IOException {
			String statusLine = line();
			int status = Integer.parseInt(statusLine.substring(9, 12));
			int length = -1;
			boolean chunked = false;
			boolean closes = false;
			String cacheStatus = "";
			String etag = "";
			for (String header = line(); !header.isEmpty(); header = line()) {
				int colon = header.indexOf(':');
				String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
				String value = header.substring(colon + 1).trim();
				switch (name) {
					case "content-length" -> length = Integer.parseInt(value);
					case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
					case "connection" -> closes = value.equalsIgnoreCase("close");
					case "cache-status" -> cacheStatus = value;
					case "etag" -> etag = value;
					default -> {
					}
				}
			}
			byte[] content;
			if (chunked) {
				java.io.ByteArrayOutputStream chunks = new java.io.ByteArrayOutputStream();
				for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0; size = Integer
					.parseInt(line().split(";")[0].trim(), 16)) {
					chunks.write(this.in.readNBytes(size));
					line();
				}
				for (String trailer = line(); !trailer.isEmpty(); trailer = line()) {
					// trailers are not used
				}
				content = chunks.toByteArray();
			}
			else {
				content = this.in.readNBytes(Math.max(length, 0));
			}
			if (closes) {
				close();
			}
			return new Reply(status, cacheStatus, content.length,
					new String(content, 0, Math.min(content.length, 4096), StandardCharsets.UTF_8), etag);
		}

		private String line() throws IOException {
			StringBuilder line = new StringBuilder();
			for (int c = this.in.read(); c != '\n'; c = this.in.read()) {
				if (c == -1) {
					throw new IOException("Connection closed by the server");
				}
				if (c != '\r') {
					line.append((char) c);
				}
			}
			return line.toString();
		}

		@Override
		public void close() throws IOException {
			if (this.socket != null) {
				this.socket.close();
				this.socket = null;
			}
		}

	}

	/** Growable columns of one connection's requests. */
	static final class Log {

		long[] starts = new long[1024];

		long[] nanos = new long[1024];

		int[] statuses = new int[1024];

		String[] kinds = new String[1024];

		int size;

		void add(long start, long latency, int status, String kind) {
			if (this.size == this.starts.length) {
				int capacity = this.size * 2;
				this.starts = Arrays.copyOf(this.starts, capacity);
				this.nanos = Arrays.copyOf(this.nanos, capacity);
				this.statuses = Arrays.copyOf(this.statuses, capacity);
				this.kinds = Arrays.copyOf(this.kinds, capacity);
			}
			this.starts[this.size] = start;
			this.nanos[this.size] = latency;
			this.statuses[this.size] = status;
			this.kinds[this.size] = kind;
			this.size++;
		}

		void addAll(Log other) {
			for (int i = 0; i < other.size; i++) {
				add(other.starts[i], other.nanos[i], other.statuses[i], other.kinds[i]);
			}
		}

	}

}
