import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live-update streams' benchmark client (issue 22): holds thousands of
 * {@code GET /attendees/{id}/chats/events} streams open on one NIO selector thread (no
 * thread per stream), then posts webhooks one at a time and times each from just before
 * its POST is written to the moment the last stream read its {@code chats-changed} event.
 * Single-file source, Java 17+: {@code java bench/StreamsClient.java key=value...}.
 *
 * <p>
 * Options: {@code base=http://127.0.0.1:PORT} (the proxy), {@code attendees=a,b,...}
 * (streams spread over them round-robin), {@code streams=5000}, {@code concurrency=200}
 * (streams being opened at once), {@code open_timeout_ms=180000}; webhooks:
 * {@code webhooks=N} (measured; 0: none), {@code warm_webhooks=3} (not recorded),
 * {@code secret=}, {@code secret_header=X-Webhook-Secret}, {@code account=} (the event's
 * {@code account_id}), {@code gap_ms=1200} (least time between two posts: the proxy folds
 * an attendee's changes within {@code proxy.webhook.min-refresh-interval}, 1 s, into one),
 * {@code timeout_ms=10000} (per webhook), {@code run=} (makes the events' chat ids unique).
 *
 * <p>
 * Output: {@code OPEN} once the streams are open, one {@code WEBHOOK} line per webhook and
 * a {@code RESULT} line, then {@code READY}; it holds the streams until its standard input
 * ends, then closes them and prints {@code END} (counts of events, heartbeats, streams the
 * server ended). Each webhook names every attendee, so every stream gets its event; the
 * events' chat ids are unique per webhook, so a stream's event is matched to its webhook.
 */
public final class StreamsClient {

	private static final byte[] OPEN_COMMENT = ":open".getBytes(StandardCharsets.US_ASCII);

	private final Map<String, String> options;

	private final InetSocketAddress address;

	private final String host;

	private final List<String> attendees;

	private final Stream[] streams;

	private final int concurrency;

	private final Selector selector;

	private final CountDownLatch allOpened;

	private final AtomicInteger opened = new AtomicInteger();

	private final AtomicInteger failed = new AtomicInteger();

	private final AtomicInteger closedByServer = new AtomicInteger();

	private final Map<Integer, Integer> statuses = new TreeMap<>();

	private volatile Webhook current;

	private volatile boolean stopping;

	// selector thread only
	private int next;

	private int pending;

	private long events;

	private long heartbeats;

	private long stray;

	private final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);

	StreamsClient(Map<String, String> options) throws IOException {
		this.options = options;
		URI base = URI.create(options.getOrDefault("base", "http://127.0.0.1:8080"));
		this.address = new InetSocketAddress(base.getHost(), base.getPort());
		this.host = base.getHost() + ":" + base.getPort();
		this.attendees = Arrays.asList(options.get("attendees").split(","));
		this.streams = new Stream[Integer.parseInt(options.getOrDefault("streams", "5000"))];
		this.concurrency = Integer.parseInt(options.getOrDefault("concurrency", "200"));
		this.selector = Selector.open();
		this.allOpened = new CountDownLatch(this.streams.length);
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> options = new LinkedHashMap<>();
		for (String arg : args) {
			int equals = arg.indexOf('=');
			options.put(arg.substring(0, equals), arg.substring(equals + 1));
		}
		new StreamsClient(options).run();
	}

	private void run() throws Exception {
		Thread loop = new Thread(this::loop, "selector");
		loop.setDaemon(true);
		long begun = System.nanoTime();
		loop.start();
		long openTimeout = Long.parseLong(this.options.getOrDefault("open_timeout_ms", "180000"));
		boolean all = this.allOpened.await(openTimeout, TimeUnit.MILLISECONDS);
		synchronized (this.statuses) {
			System.out.printf(Locale.ROOT, "OPEN streams=%d opened=%d failed=%d all=%s seconds=%.2f statuses=%s%n",
					this.streams.length, this.opened.get(), this.failed.get(), all, (System.nanoTime() - begun) / 1e9,
					this.statuses);
		}
		int webhooks = Integer.parseInt(this.options.getOrDefault("webhooks", "0"));
		if (webhooks > 0) {
			webhooks(webhooks);
		}
		System.out.println("READY");
		System.out.flush();
		InputStream in = System.in;
		byte[] sink = new byte[256];
		while (in.read(sink) >= 0) {
			// hold the streams until the script closes our standard input
		}
		this.stopping = true;
		this.selector.wakeup();
		loop.join(30_000);
		System.out.printf(Locale.ROOT, "END opened=%d closed_by_server=%d events=%d heartbeats=%d stray_events=%d%n",
				this.opened.get(), this.closedByServer.get(), this.events, this.heartbeats, this.stray);
		System.out.flush();
	}

	// --- webhooks ---------------------------------------------------------------------------

	private void webhooks(int n) throws Exception {
		int warm = Integer.parseInt(this.options.getOrDefault("warm_webhooks", "3"));
		long gap = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(this.options.getOrDefault("gap_ms", "1200")));
		long timeout = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(this.options.getOrDefault("timeout_ms", "10000")));
		String run = this.options.getOrDefault("run", Long.toString(System.currentTimeMillis(), 36));
		URI hook = URI.create(this.options.get("hook"));
		String header = this.options.getOrDefault("secret_header", "X-Webhook-Secret");
		String account = this.options.getOrDefault("account", "acc_01HXYZ4QK3WJ8FN3M6QH7TZ8GR");
		List<Double> last = new ArrayList<>();
		List<Double> median = new ArrayList<>();
		List<Double> hookMs = new ArrayList<>();
		int incomplete = 0;
		long missing = 0;
		long previous = 0;
		Socket socket = null;
		try {
			for (int i = -warm; i < n; i++) {
				long wait = previous + gap - System.nanoTime();
				if (previous != 0 && wait > 0) {
					TimeUnit.NANOSECONDS.sleep(wait);
				}
				if (socket == null) {
					// Tomcat closes a keep-alive connection after 100 requests: a new one, before the clock starts
					socket = new Socket();
					socket.setTcpNoDelay(true);
					socket.connect(new InetSocketAddress(hook.getHost(), hook.getPort()), 5000);
					socket.setSoTimeout(30_000);
				}
				InputStream in = socket.getInputStream();
				OutputStream out = socket.getOutputStream();
				String chat = "chat_bench_" + run + "_" + (i + warm);
				StringBuilder body = new StringBuilder("{\"event\":\"message_received\",\"account_id\":\"").append(account)
					.append("\",\"chat_id\":\"")
					.append(chat)
					.append("\",\"timestamp\":\"")
					.append(Instant.now())
					.append("\",\"webhook_name\":\"chat-proxy\",\"message_id\":\"msg_")
					.append(chat)
					.append("\",\"message\":\"benchmark\",\"sender\":{\"attendee_id\":\"")
					.append(this.attendees.get(0))
					.append("\"},\"attendees\":[");
				for (int a = 0; a < this.attendees.size(); a++) {
					body.append((a > 0) ? "," : "").append("{\"attendee_id\":\"").append(this.attendees.get(a)).append("\"}");
				}
				byte[] payload = body.append("]}").toString().getBytes(StandardCharsets.UTF_8);
				byte[] head = ("POST " + hook.getRawPath() + " HTTP/1.1\r\nHost: " + hook.getHost() + ":" + hook.getPort()
						+ "\r\nContent-Type: application/json\r\n" + header + ": " + this.options.get("secret")
						+ "\r\nContent-Length: " + payload.length + "\r\n\r\n")
					.getBytes(StandardCharsets.US_ASCII);
				Webhook webhook = new Webhook(chat, this.opened.get() - this.closedByServer.get(), this.streams.length);
				this.current = webhook;
				long posted = System.nanoTime();
				webhook.postedNanos = posted;
				out.write(head);
				out.write(payload);
				out.flush();
				int[] reply = readReply(in);
				int status = reply[0];
				long answered = System.nanoTime();
				if (reply[1] == 1) {
					socket.close();
					socket = null;
				}
				previous = posted;
				boolean complete = webhook.latch.await(timeout, TimeUnit.NANOSECONDS);
				this.current = null;
				long[] times;
				int got;
				synchronized (webhook) {
					got = webhook.received;
					times = Arrays.copyOf(webhook.times, got);
				}
				Arrays.sort(times);
				double lastMs = (got > 0) ? (times[got - 1] - posted) / 1e6 : Double.NaN;
				double medianMs = (got > 0) ? (times[(got - 1) / 2] - posted) / 1e6 : Double.NaN;
				System.out.printf(Locale.ROOT,
						"WEBHOOK n=%d status=%d hook_ms=%.2f expected=%d received=%d last_ms=%.2f median_ms=%.2f first_ms=%.2f%s%n",
						i + 1, status, (answered - posted) / 1e6, webhook.expected, got, lastMs, medianMs,
						(got > 0) ? (times[0] - posted) / 1e6 : Double.NaN, (i < 0) ? " warm-up" : "");
				if (i < 0) {
					continue;
				}
				if (status != 200 || !complete) {
					incomplete++;
					missing += webhook.expected - got;
					continue;
				}
				last.add(lastMs);
				median.add(medianMs);
				hookMs.add((answered - posted) / 1e6);
			}
		}
		finally {
			if (socket != null) {
				socket.close();
			}
		}
		System.out.printf(Locale.ROOT,
				"RESULT streams=%d webhooks=%d complete=%d incomplete=%d missing_events=%d last_p50_ms=%.2f last_p99_ms=%.2f last_max_ms=%.2f last_min_ms=%.2f median_p50_ms=%.2f hook_p50_ms=%.2f%n",
				this.opened.get() - this.closedByServer.get(), n, last.size(), incomplete, missing, percentile(last, 50),
				percentile(last, 99), percentile(last, 100), percentile(last, 0), percentile(median, 50),
				percentile(hookMs, 50));
	}

	/** Nearest rank; {@code 0} is the minimum, {@code 100} the maximum. */
	static double percentile(List<Double> values, double p) {
		if (values.isEmpty()) {
			return Double.NaN;
		}
		double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
		int rank = (int) Math.ceil(p / 100 * sorted.length);
		return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
	}

	/**
	 * Reads one reply (status line, headers, a Content-Length or chunked body).
	 * @return its status, and 1 when the server closes the connection after it
	 */
	private static int[] readReply(InputStream in) throws IOException {
		String status = line(in);
		int length = 0;
		boolean chunked = false;
		int closes = 0;
		String header;
		while (!(header = line(in)).isEmpty()) {
			String lower = header.toLowerCase(Locale.ROOT);
			if (lower.startsWith("content-length:")) {
				length = Integer.parseInt(lower.substring(15).trim());
			}
			else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
				chunked = true;
			}
			else if (lower.startsWith("connection:") && lower.contains("close")) {
				closes = 1;
			}
		}
		if (chunked) {
			int size;
			while ((size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) > 0) {
				in.readNBytes(size);
				line(in);
			}
			line(in);
		}
		else {
			in.readNBytes(length);
		}
		return new int[] { Integer.parseInt(status.substring(9, 12)), closes };
	}

	private static String line(InputStream in) throws IOException {
		StringBuilder line = new StringBuilder();
		int b;
		while ((b = in.read()) != '\n') {
			if (b < 0) {
				throw new IOException("Connection closed");
			}
			if (b != '\r') {
				line.append((char) b);
			}
		}
		return line.toString();
	}

	// --- the selector thread ----------------------------------------------------------------

	private void loop() {
		try {
			openMore();
			while (!this.stopping) {
				this.selector.select(100);
				for (SelectionKey key : this.selector.selectedKeys()) {
					Stream stream = (Stream) key.attachment();
					try {
						if (key.isConnectable()) {
							stream.channel.finishConnect();
							key.interestOps(SelectionKey.OP_WRITE);
						}
						if (key.isValid() && key.isWritable()) {
							stream.channel.write(stream.request);
							if (!stream.request.hasRemaining()) {
								key.interestOps(SelectionKey.OP_READ);
							}
						}
						if (key.isValid() && key.isReadable()) {
							read(stream);
						}
					}
					catch (IOException ex) {
						close(stream, 0);
					}
				}
				this.selector.selectedKeys().clear();
				openMore();
			}
		}
		catch (IOException ex) {
			ex.printStackTrace();
		}
		finally {
			for (Stream stream : this.streams) {
				if (stream != null) {
					try {
						stream.channel.close();
					}
					catch (IOException ex) {
						// closing anyway
					}
				}
			}
		}
	}

	private void openMore() throws IOException {
		while (this.pending < this.concurrency && this.next < this.streams.length) {
			int index = this.next++;
			String target = "/attendees/" + this.attendees.get(index % this.attendees.size()) + "/chats/events";
			Stream stream = new Stream(SocketChannel.open(), ByteBuffer.wrap(("GET " + target + " HTTP/1.1\r\nHost: "
					+ this.host + "\r\nAccept: text/event-stream\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII)));
			this.streams[index] = stream;
			this.pending++;
			stream.channel.configureBlocking(false);
			stream.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
			boolean connected = stream.channel.connect(this.address);
			stream.channel.register(this.selector, connected ? SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT, stream);
		}
	}

	private void read(Stream stream) throws IOException {
		this.buffer.clear();
		int n = stream.channel.read(this.buffer);
		if (n < 0) {
			close(stream, 0);
			return;
		}
		long now = System.nanoTime();
		this.buffer.flip();
		while (this.buffer.hasRemaining()) {
			byte b = this.buffer.get();
			if (stream.head != null) {
				stream.head.append((char) b);
				int length = stream.head.length();
				if (length >= 4 && stream.head.lastIndexOf("\r\n\r\n") == length - 4) {
					String head = stream.head.toString();
					stream.head = null;
					stream.chunked = head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked");
					int status = Integer.parseInt(head.substring(9, 12));
					if (status != 200) {
						close(stream, status);
						return;
					}
				}
				continue;
			}
			if (!stream.chunked) {
				body(stream, b, now);
				continue;
			}
			switch (stream.chunkState) {
				case 0 -> { // the size line
					if (b == '\n') {
						String size = stream.sizeLine.toString().split(";")[0].trim();
						stream.sizeLine.setLength(0);
						stream.chunkLeft = Long.parseLong(size, 16);
						if (stream.chunkLeft == 0) {
							close(stream, 0);
							return;
						}
						stream.chunkState = 1;
					}
					else if (b != '\r') {
						stream.sizeLine.append((char) b);
					}
				}
				case 1 -> { // the data
					body(stream, b, now);
					if (--stream.chunkLeft == 0) {
						stream.chunkState = 2;
					}
				}
				default -> { // CRLF after the data
					if (b == '\n') {
						stream.chunkState = 0;
					}
				}
			}
		}
	}

	private void body(Stream stream, byte b, long now) {
		if (b != '\n') {
			if (b != '\r') {
				stream.line.append((char) b);
			}
			return;
		}
		StringBuilder line = stream.line;
		if (line.length() == 0) {
			// the end of an event or comment
		}
		else if (line.charAt(0) == ':') {
			if (!stream.opened && equals(line, OPEN_COMMENT)) {
				stream.opened = true;
				this.pending--;
				this.opened.incrementAndGet();
				this.allOpened.countDown();
			}
			else {
				this.heartbeats++;
			}
		}
		else if (line.indexOf("data:") == 0) {
			this.events++;
			int start = line.indexOf("\"chat_id\":\"");
			Webhook webhook = this.current;
			if (start >= 0 && webhook != null) {
				start += 11;
				int end = line.indexOf("\"", start);
				if (end > start && line.substring(start, end).equals(webhook.chat) && stream.lastChat != webhook) {
					stream.lastChat = webhook;
					webhook.received(now);
				}
				else {
					this.stray++;
				}
			}
			else {
				this.stray++;
			}
		}
		line.setLength(0);
	}

	private static boolean equals(StringBuilder line, byte[] text) {
		if (line.length() != text.length) {
			return false;
		}
		for (int i = 0; i < text.length; i++) {
			if (line.charAt(i) != text[i]) {
				return false;
			}
		}
		return true;
	}

	private void close(Stream stream, int status) {
		if (stream.closed) {
			return;
		}
		stream.closed = true;
		try {
			stream.channel.close();
		}
		catch (IOException ex) {
			// closed anyway
		}
		if (stream.opened) {
			this.closedByServer.incrementAndGet();
			return;
		}
		this.pending--;
		this.failed.incrementAndGet();
		synchronized (this.statuses) {
			this.statuses.merge(status, 1, Integer::sum);
		}
		this.allOpened.countDown();
	}

	/** One stream: its channel, request, and where the parsing of its answer stands. */
	private static final class Stream {

		final SocketChannel channel;

		final ByteBuffer request;

		StringBuilder head = new StringBuilder(256);

		boolean chunked;

		int chunkState;

		long chunkLeft;

		final StringBuilder sizeLine = new StringBuilder(8);

		final StringBuilder line = new StringBuilder(256);

		boolean opened;

		boolean closed;

		Webhook lastChat;

		Stream(SocketChannel channel, ByteBuffer request) {
			this.channel = channel;
			this.request = request;
		}

	}

	/** One posted webhook: when each stream read its event. */
	private static final class Webhook {

		final String chat;

		final int expected;

		final long[] times;

		final CountDownLatch latch = new CountDownLatch(1);

		volatile long postedNanos;

		int received;

		Webhook(String chat, int expected, int capacity) {
			this.chat = chat;
			this.expected = expected;
			this.times = new long[capacity];
		}

		synchronized void received(long now) {
			this.times[this.received++] = now;
			if (this.received == this.expected) {
				this.latch.countDown();
			}
		}

	}

}
