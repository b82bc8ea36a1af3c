import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The benchmark's precise client, for what wrk cannot tell: which request was the one that
 * went upstream, and when. Single-file source, Java 17+: {@code java bench/Client.java MODE
 * key=value...}. It speaks HTTP/1.1 over plain sockets, one per simulated client, so that
 * its own cost stays far below the proxy's (the JDK HttpClient, tried first, was slower than
 * the proxy it measured). Every mode prints one {@code RESULT key=value...} line (and, for expiry,
 * one {@code EXPIRY} line per expiry). Bounded: every wait has a time limit.
 * <ul>
 * <li>{@code coalesce url= n= warm= stats=}: opens n connections with a warm-up burst on
 * {@code warm}, then sends n identical requests to {@code url} at once;</li>
 * <li>{@code expiry url= connections= seconds= stats= ttl_ms=}: keeps the connections
 * busy on one key and reports each expiry (the request that went upstream) with the
 * latencies of the requests around it;</li>
 * <li>{@code fill base= n= concurrency= limit= epoch=}: caches n distinct pages.</li>
 * </ul>
 */
public class Client {

	static final Pattern CALLS = Pattern.compile("\"calls\"\\s*:\\s*(\\d+)");

	public static void main(String[] args) throws Exception {
		Map<String, String> options = new TreeMap<>();
		for (int i = 1; i < args.length; i++) {
			String[] option = args[i].split("=", 2);
			options.put(option[0], option[1]);
		}
		switch (args[0]) {
			case "coalesce" -> coalesce(options);
			case "expiry" -> expiry(options);
			case "fill" -> fill(options);
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
			Reply reply = connection.get(stats);
			Matcher matcher = CALLS.matcher(reply.body());
			if (!matcher.find()) {
				throw new IllegalStateException("No call count in " + reply.body());
			}
			return Long.parseLong(matcher.group(1));
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

	/** Connections kept busy on one key across several expiries. */
	static void expiry(Map<String, String> options) throws Exception {
		int n = Integer.parseInt(options.get("connections"));
		long runNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(options.get("seconds")));
		String url = options.get("url");
		ExecutorService pool = threads(n);
		List<Connection> connections = connect(url, n);
		burst(connections, pool, url);
		long before = upstreamCalls(options.get("stats"));
		long origin = System.nanoTime();
		List<Future<Log>> futures = new ArrayList<>();
		for (Connection connection : connections) {
			futures.add(pool.submit(() -> {
				Log log = new Log();
				while (System.nanoTime() - origin < runNanos) {
					long start = System.nanoTime();
					Reply reply = connection.get(url);
					log.add(start - origin, System.nanoTime() - start, reply.status(), kind(reply.cacheStatus()));
				}
				return log;
			}));
		}
		Log all = new Log();
		for (Future<Log> future : futures) {
			all.addAll(future.get(runNanos / 1_000_000_000L + 60, TimeUnit.SECONDS));
		}
		long calls = upstreamCalls(options.get("stats")) - before;
		report(all, calls, runNanos);
		pool.shutdownNow();
	}

	static void report(Log log, long calls, long runNanos) {
		int n = log.size;
		long window = TimeUnit.MILLISECONDS.toNanos(250);
		// the requests that went upstream, in time order, grouped into expiries 1 s apart
		List<Integer> leaders = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			if (log.kinds[i].equals("stored")) {
				leaders.add(i);
			}
		}
		leaders.sort((a, b) -> Long.compare(log.starts[a], log.starts[b]));
		List<List<Integer>> expiries = new ArrayList<>();
		for (int leader : leaders) {
			List<Integer> last = expiries.isEmpty() ? null : expiries.get(expiries.size() - 1);
			if (last != null && log.starts[leader] - log.starts[last.get(0)] < TimeUnit.SECONDS.toNanos(1)) {
				last.add(leader);
			}
			else {
				expiries.add(new ArrayList<>(List.of(leader)));
			}
		}
		int fiveXx = 0;
		int non200 = 0;
		Map<String, Integer> kinds = new TreeMap<>();
		for (int i = 0; i < n; i++) {
			fiveXx += (log.statuses[i] >= 500) ? 1 : 0;
			non200 += (log.statuses[i] != 200) ? 1 : 0;
			kinds.merge(log.kinds[i], 1, Integer::sum);
		}
		List<Double> expiryP99s = new ArrayList<>();
		int number = 0;
		for (List<Integer> expiry : expiries) {
			long at = log.starts[expiry.get(0)];
			int collapsed = 0;
			List<Long> around = new ArrayList<>();
			for (int i = 0; i < n; i++) {
				if (Math.abs(log.starts[i] - at) <= window) {
					around.add(log.nanos[i]);
					collapsed += log.kinds[i].equals("collapsed") ? 1 : 0;
				}
			}
			long[] sorted = around.stream().mapToLong(Long::longValue).sorted().toArray();
			double p99 = percentile(sorted, 99) / 1e6;
			expiryP99s.add(p99);
			System.out.printf("EXPIRY n=%d at_s=%.3f upstream_requests=%d collapsed=%d requests_within_250ms=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f%n",
					++number, at / 1e9, expiry.size(), collapsed, sorted.length, percentile(sorted, 50) / 1e6, p99,
					sorted[sorted.length - 1] / 1e6);
		}
		long[] all = Arrays.copyOf(log.nanos, n);
		Arrays.sort(all);
		double worstP99 = expiryP99s.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
		double[] p99s = expiryP99s.stream().mapToDouble(Double::doubleValue).sorted().toArray();
		System.out.printf("RESULT requests=%d rps=%.1f expiries=%d upstream_calls=%d calls_per_expiry=%.2f status_5xx=%d non200=%d cache=%s p50_ms=%.2f p99_ms=%.2f expiry_p99_median_ms=%.1f expiry_p99_max_ms=%.1f%n",
				n, n / (runNanos / 1e9), expiries.size(), calls,
				expiries.isEmpty() ? Double.NaN : (double) calls / expiries.size(), fiveXx, non200, compact(kinds),
				percentile(all, 50) / 1e6, percentile(all, 99) / 1e6,
				(p99s.length == 0) ? Double.NaN : p99s[p99s.length / 2], worstP99);
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

	static String kind(String cacheStatus) {
		if (cacheStatus.contains("collapsed")) {
			return "collapsed";
		}
		if (cacheStatus.contains("stored")) {
			return "stored";
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

	record Reply(int status, String cacheStatus, int bodyLength, String body) {
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
			if (this.socket == null) {
				open();
			}
			URI uri = URI.create(url);
			String target = uri.getRawPath() + ((uri.getRawQuery() != null) ? "?" + uri.getRawQuery() : "");
			this.out.write(("GET " + target + " HTTP/1.1\r\nHost: " + this.host + "\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			this.out.flush();
			String statusLine = line();
			int status = Integer.parseInt(statusLine.substring(9, 12));
			int length = -1;
			boolean chunked = false;
			boolean closes = false;
			String cacheStatus = "";
			for (String header = line(); !header.isEmpty(); header = line()) {
				int colon = header.indexOf(':');
				String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
				String value = header.substring(colon + 1).trim();
				switch (name) {
					case "content-length" -> length = Integer.parseInt(value);
					case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
					case "connection" -> closes = value.equalsIgnoreCase("close");
					case "cache-status" -> cacheStatus = value;
					default -> {
					}
				}
			}
			byte[] body;
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
				body = chunks.toByteArray();
			}
			else {
				body = this.in.readNBytes(Math.max(length, 0));
			}
			if (closes) {
				close();
			}
			return new Reply(status, cacheStatus, body.length,
					(body.length < 4096) ? new String(body, StandardCharsets.UTF_8) : "");
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
