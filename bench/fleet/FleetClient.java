import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fleet benchmark's client (bench/fleet/run.sh), Java 17+, plain sockets and HTTP/1.1
 * keep-alive, so that its own cost stays small and every answer's {@code Cache-Status} is seen.
 * Usage: {@code java bench/fleet/FleetClient.java MODE key=value...}; each mode prints
 * {@code RESULT key=value...} lines. Every wait is bounded.
 * <ul>
 * <li>{@code spread urls=u1,u2,u3 conns= keys= limit= epoch= warm_s= seconds= pace_ms= stats=
 * ttl_ms=}: asks every replica for every page once (in turn), then keeps {@code conns}
 * connections per replica busy on {@code keys} distinct pages (round robin, each connection
 * starting at another key, {@code pace_ms} between requests); after {@code warm_s} it reads the simulator's call count, again {@code seconds} later, and
 * reports the upstream calls per key per TTL period of that window.</li>
 * <li>{@code sequence steps=name@url,... keys= warm= limit= epoch= stats= out=}: for each of
 * {@code warm + keys} distinct pages in turn, one request per step in the given order, one
 * connection per step URL; the latency of every request after the first {@code warm} pages is
 * written to {@code out} (TSV) and summarised per step.</li>
 * <li>{@code soak urls=u1,u2,u3 conns= keys= limit= epoch= seconds= pace_ms= [exclude=FILE]
 * [stop=FILE] [fill=1]}: with {@code fill=1}, asks every replica for every page once, replica
 * after replica, and reports that; otherwise, for {@code seconds} at most, or until the file {@code stop} exists, {@code conns} connections per replica ask for {@code keys} pages round robin
 * (bench/soak.sh's steady load); a replica named in the file {@code exclude} (one URL a line,
 * read every 200 ms) is out of rotation, as behind a load balancer, and its connections go to the
 * next replica. A refused or broken connection counts as a failed request and is opened again.
 * Reports requests, failed requests (not 200, or no answer), p50/p99 and the answers' kinds.</li>
 * </ul>
 * A page's key is {@code ?limit=L&before=<epoch + i ms>}: distinct pages, as many as needed.
 */
public class FleetClient {

	static final Pattern CALLS = Pattern.compile("\"calls\"\\s*:\\s*(\\d+)");

	static final DateTimeFormatter BEFORE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
		.withZone(ZoneOffset.UTC);

	public static void main(String[] args) throws Exception {
		Map<String, String> options = new TreeMap<>();
		for (int i = 1; i < args.length; i++) {
			String[] option = args[i].split("=", 2);
			options.put(option[0], option[1]);
		}
		switch (args[0]) {
			case "spread" -> spread(options);
			case "sequence" -> sequence(options);
			case "soak" -> soak(options);
			default -> throw new IllegalArgumentException("Unknown mode " + args[0]);
		}
		System.exit(0);
	}

	/**
	 * The pages a run asks for: {@code keys} of them, {@code limit} items each, the i-th
	 * {@code before} {@code epoch} plus i ms (see {@link #page}).
	 */
	record Pages(int keys, String limit, Instant epoch) {

		static Pages of(Map<String, String> options) {
			return new Pages(Integer.parseInt(options.get("keys")), options.getOrDefault("limit", "1"),
					Instant.parse(options.get("epoch")));
		}

		String url(String base, int i) {
			return page(base, this.limit, this.epoch, i);
		}

	}

	static String page(String base, String limit, Instant epoch, int i) {
		return base + "?limit=" + limit + "&before=" + BEFORE.format(epoch.plusMillis(i));
	}

	static long upstreamCalls(String stats) throws IOException {
		try (Client.Connection connection = new Client.Connection(stats)) {
			Client.Reply reply = connection.get(stats);
			Matcher matcher = CALLS.matcher(reply.body());
			if (!matcher.find()) {
				throw new IllegalStateException("No call count in " + reply.body());
			}
			return Long.parseLong(matcher.group(1));
		}
	}

	/** Upstream calls per key per TTL with load spread over the replicas. */
	static void spread(Map<String, String> options) throws Exception {
		String[] urls = options.get("urls").split(",");
		int conns = Integer.parseInt(options.get("conns"));
		Pages pages = Pages.of(options);
		int keys = pages.keys();
		long warmNanos = TimeUnit.MILLISECONDS.toNanos((long) (Double.parseDouble(options.get("warm_s")) * 1000));
		long windowNanos = TimeUnit.MILLISECONDS.toNanos((long) (Double.parseDouble(options.get("seconds")) * 1000));
		long paceMillis = Long.parseLong(options.getOrDefault("pace_ms", "5"));
		double ttlMillis = Double.parseDouble(options.get("ttl_ms"));
		String stats = options.get("stats");
		// every key on every replica once, replica after replica: the first fetches (and, with
		// fleet mode, the first shared hits) are over before the load starts
		Map<String, Integer> fill = new TreeMap<>();
		for (String base : urls) {
			try (Client.Connection connection = new Client.Connection(base)) {
				for (int k = 0; k < keys; k++) {
					Client.Reply reply = connection.get(pages.url(base, k));
					fill.merge(reply.status() + "_" + Client.kind(reply.cacheStatus()), 1, Integer::sum);
				}
			}
		}
		int workers = urls.length * conns;
		ExecutorService pool = Executors.newFixedThreadPool(workers);
		AtomicBoolean stop = new AtomicBoolean();
		long origin = System.nanoTime();
		List<Future<Counts>> futures = new ArrayList<>();
		for (int w = 0; w < workers; w++) {
			String base = urls[w % urls.length];
			int first = (w * 7) % keys;
			futures.add(pool.submit(() -> {
				Counts counts = new Counts();
				try (Client.Connection connection = new Client.Connection(base)) {
					for (int n = first; !stop.get(); n++) {
						long start = System.nanoTime();
						Client.Reply reply = connection.get(pages.url(base, n % keys));
						long end = System.nanoTime();
						counts.add(end - origin >= warmNanos, reply.status(), Client.kind(reply.cacheStatus()), end - start);
						if (paceMillis > 0) {
							Thread.sleep(paceMillis);
						}
					}
				}
				return counts;
			}));
		}
		sleepUntil(origin + warmNanos);
		long before = upstreamCalls(stats);
		long windowStart = System.nanoTime();
		sleepUntil(windowStart + windowNanos);
		long after = upstreamCalls(stats);
		long window = System.nanoTime() - windowStart;
		stop.set(true);
		Counts all = new Counts();
		for (Future<Counts> future : futures) {
			all.addAll(future.get(60, TimeUnit.SECONDS));
		}
		pool.shutdownNow();
		StringBuilder latencies = new StringBuilder();
		all.nanos.forEach((kind, values) -> {
			long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
			latencies.append(String.format(Locale.ROOT, " %s_p50_us=%.0f %s_p99_us=%.0f", kind,
					Client.percentile(sorted, 50) / 1e3, kind, Client.percentile(sorted, 99) / 1e3));
		});
		double periods = window / 1e6 / ttlMillis;
		long calls = after - before;
		System.out.printf(Locale.ROOT,
				"RESULT replicas=%d conns_per_replica=%d keys=%d window_s=%.3f ttl_ms=%.0f periods=%.3f upstream_calls=%d calls_per_key_per_ttl=%.3f requests=%d warm_requests=%d non200=%d cache=%s fill=%s%s%n",
				urls.length, conns, keys, window / 1e9, ttlMillis, periods, calls, calls / (keys * periods),
				all.measured, all.warm, all.non200, compact(all.kinds), compact(fill), latencies);
	}

	static void sleepUntil(long nanoTime) throws InterruptedException {
		long left;
		while ((left = nanoTime - System.nanoTime()) > 0) {
			TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
		}
	}

	/** Requests of one page after another, one per step, each step on its own connection. */
	static void sequence(Map<String, String> options) throws Exception {
		String[] specs = options.get("steps").split(",");
		Pages pages = Pages.of(options);
		int keys = pages.keys();
		int warm = Integer.parseInt(options.get("warm"));
		String stats = options.get("stats");
		int steps = specs.length;
		String[] names = new String[steps];
		String[] bases = new String[steps];
		Map<String, Client.Connection> connections = new LinkedHashMap<>();
		for (int s = 0; s < steps; s++) {
			String[] spec = specs[s].split("@", 2);
			names[s] = spec[0];
			bases[s] = spec[1];
			if (!connections.containsKey(spec[1])) {
				connections.put(spec[1], new Client.Connection(spec[1]));
			}
		}
		long[][] nanos = new long[steps][keys];
		String[][] statuses = new String[steps][keys];
		long before = upstreamCalls(stats);
		long warmCalls = 0;
		try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(options.get("out"))))) {
			out.println("key\tstep\tlatency_us\tstatus\tcache_status");
			for (int i = 0; i < warm + keys; i++) {
				if (i == warm) {
					warmCalls = upstreamCalls(stats) - before;
				}
				for (int s = 0; s < steps; s++) {
					String url = pages.url(bases[s], i);
					long start = System.nanoTime();
					Client.Reply reply = connections.get(bases[s]).get(url);
					long took = System.nanoTime() - start;
					if (i >= warm) {
						nanos[s][i - warm] = took;
						statuses[s][i - warm] = reply.status() + " " + Client.kind(reply.cacheStatus());
						out.printf(Locale.ROOT, "%d\t%s\t%.1f\t%d\t%s%n", i - warm, names[s], took / 1e3, reply.status(),
								reply.cacheStatus());
					}
				}
			}
		}
		long calls = upstreamCalls(stats) - before - warmCalls;
		for (Client.Connection connection : connections.values()) {
			connection.close();
		}
		for (int s = 0; s < steps; s++) {
			Map<String, Integer> kinds = new TreeMap<>();
			for (String status : statuses[s]) {
				kinds.merge(status.replace(' ', '_'), 1, Integer::sum);
			}
			long[] sorted = nanos[s].clone();
			Arrays.sort(sorted);
			double mean = Arrays.stream(sorted).average().orElse(Double.NaN);
			System.out.printf(Locale.ROOT,
					"STEP name=%s n=%d p50_us=%.1f p90_us=%.1f p99_us=%.1f mean_us=%.1f min_us=%.1f max_us=%.1f cache=%s%n",
					names[s], sorted.length, Client.percentile(sorted, 50) / 1e3, Client.percentile(sorted, 90) / 1e3,
					Client.percentile(sorted, 99) / 1e3, mean / 1e3, sorted[0] / 1e3, sorted[sorted.length - 1] / 1e3,
					compact(kinds));
		}
		System.out.printf(Locale.ROOT, "RESULT keys=%d warm=%d steps=%d upstream_calls=%d warm_upstream_calls=%d%n", keys,
				warm, steps, calls, warmCalls);
	}

	/** Steady load over the replicas for a while, failures counted rather than thrown. */
	static void soak(Map<String, String> options) throws Exception {
		String[] urls = options.get("urls").split(",");
		int conns = Integer.parseInt(options.get("conns"));
		Pages pages = Pages.of(options);
		int keys = pages.keys();
		long seconds = Long.parseLong(options.get("seconds"));
		long paceMillis = Long.parseLong(options.getOrDefault("pace_ms", "5"));
		if ("1".equals(options.get("fill"))) {
			Counts filled = new Counts();
			for (String base : urls) {
				try (Client.Connection connection = new Client.Connection(base)) {
					for (int k = 0; k < keys; k++) {
						long start = System.nanoTime();
						Client.Reply reply = connection.get(pages.url(base, k));
						filled.add(true, reply.status(), Client.kind(reply), System.nanoTime() - start);
					}
				}
			}
			System.out.printf(Locale.ROOT, "RESULT requests=%d failed=%d cache=%s%n", filled.measured, filled.non200,
					compact(filled.kinds));
			return;
		}
		Path exclude = Path.of(options.getOrDefault("exclude", "/nonexistent/exclude"));
		Path stopFile = Path.of(options.getOrDefault("stop", "/nonexistent/stop"));
		AtomicReference<Set<String>> excluded = new AtomicReference<>(Set.of());
		AtomicBoolean stop = new AtomicBoolean();
		int workers = urls.length * conns;
		ExecutorService pool = Executors.newFixedThreadPool(workers + 1);
		pool.submit(() -> {
			while (!stop.get()) {
				try {
					excluded.set(Files.exists(exclude) ? Set.copyOf(Files.readAllLines(exclude)) : Set.of());
				}
				catch (IOException ex) {
					// being rewritten: read it again next time
				}
				if (Files.exists(stopFile)) {
					stop.set(true);
				}
				Thread.sleep(200);
			}
			return null;
		});
		long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
		List<Future<Counts>> futures = new ArrayList<>();
		for (int w = 0; w < workers; w++) {
			int home = w % urls.length;
			int first = (w * 7) % keys;
			futures.add(pool.submit(() -> {
				Counts counts = new Counts();
				Map<String, Client.Connection> open = new TreeMap<>();
				try {
					for (int n = first; System.nanoTime() < end && !stop.get(); n++) {
						Set<String> out = excluded.get();
						// a replica taken out of rotation loses its connections, as a load
						// balancer drains them: none is reused once it is back, restarted
						for (String gone : out) {
							close(open.remove(gone));
						}
						String base = urls[home];
						for (int i = 1; out.contains(base) && i < urls.length; i++) {
							base = urls[(home + i) % urls.length];
						}
						long start = System.nanoTime();
						try {
							Client.Connection connection = open.get(base);
							if (connection == null) {
								connection = new Client.Connection(base);
								open.put(base, connection);
							}
							Client.Reply reply = connection.get(pages.url(base, n % keys));
							counts.add(true, reply.status(), Client.kind(reply), System.nanoTime() - start);
						}
						catch (IOException ex) {
							counts.add(true, 0, "no_answer", System.nanoTime() - start);
							close(open.remove(base));
						}
						if (paceMillis > 0) {
							Thread.sleep(paceMillis);
						}
					}
				}
				finally {
					open.values().forEach(FleetClient::close);
				}
				return counts;
			}));
		}
		Counts all = new Counts();
		for (Future<Counts> future : futures) {
			all.addAll(future.get(seconds + 120, TimeUnit.SECONDS));
		}
		stop.set(true);
		pool.shutdownNow();
		long[] sorted = all.nanos.values().stream().flatMap(List::stream).mapToLong(Long::longValue).sorted().toArray();
		System.out.printf(Locale.ROOT, "RESULT requests=%d failed=%d p50_us=%.0f p99_us=%.0f cache=%s%n", all.measured,
				all.non200, sorted.length == 0 ? Double.NaN : Client.percentile(sorted, 50) / 1e3,
				sorted.length == 0 ? Double.NaN : Client.percentile(sorted, 99) / 1e3, compact(all.kinds));
	}

	/** {@code kind:count,...}, or {@code none}: a field the report can always parse. */
	static String compact(Map<String, Integer> counts) {
		return counts.isEmpty() ? "none" : Client.compact(counts);
	}

	static final class Counts {

		long measured;

		long warm;

		long non200;

		final Map<String, Integer> kinds = new TreeMap<>();

		final Map<String, List<Long>> nanos = new TreeMap<>();

		void add(boolean inWindow, int status, String kind, long took) {
			if (!inWindow) {
				this.warm++;
				return;
			}
			this.measured++;
			this.non200 += (status != 200) ? 1 : 0;
			this.kinds.merge(kind, 1, Integer::sum);
			this.nanos.computeIfAbsent(kind, (k) -> new ArrayList<>()).add(took);
		}

		void addAll(Counts other) {
			this.measured += other.measured;
			this.warm += other.warm;
			this.non200 += other.non200;
			other.kinds.forEach((kind, count) -> this.kinds.merge(kind, count, Integer::sum));
			other.nanos.forEach((kind, values) -> this.nanos.computeIfAbsent(kind, (k) -> new ArrayList<>()).addAll(values));
		}

	}


	/**
	 * Closes a connection (null: none), whatever state it is in.
	 */
	private static void close(Client.Connection connection) {
		if (connection != null) {
			try {
				connection.close();
			}
			catch (IOException ignored) {
				// broken already, or closing anyway
			}
		}
	}

}
