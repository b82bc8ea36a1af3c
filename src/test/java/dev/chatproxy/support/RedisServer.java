package dev.chatproxy.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.awaitility.Awaitility.await;

/**
 * A real Redis for tests: Debian's {@code redis-server} on a free loopback port, started
 * before the test class and stopped by PID after it. It can be frozen ({@code SIGSTOP}, a
 * hung Redis), thawed, stopped and started again on the same port.
 * <p>
 * Register it with
 * {@code @RegisterExtension static RedisServer redis = new RedisServer();} and point the
 * application at {@link #url()}. Without {@code redis-server} on the machine the tests
 * are skipped with the reason, except under {@code CI=true} where they fail:
 * {@code .ci/run} installs it.
 */
public final class RedisServer implements BeforeAllCallback, AfterAllCallback {

	private static final String BINARY = System.getenv().getOrDefault("REDIS_SERVER", "/usr/bin/redis-server");

	private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

	private int port;

	private Path directory;

	private Process process;

	private boolean frozen;

	/** The test class that started Redis: its @Nested classes share it. */
	private String owner;

	@Override
	public void beforeAll(ExtensionContext context) throws IOException {
		if (this.owner != null) {
			return;
		}
		this.owner = context.getUniqueId();
		boolean installed = Files.isExecutable(Path.of(BINARY));
		if (!installed && "true".equalsIgnoreCase(System.getenv("CI"))) {
			throw new IllegalStateException(BINARY + " is missing: .ci/run installs Debian's redis-server");
		}
		Assumptions.assumeTrue(installed,
				() -> BINARY + " is missing: these tests need a real Redis (apt-get install redis-server)");
		this.port = freePort();
		this.directory = Files.createTempDirectory("chat-proxy-redis");
		start();
	}

	@Override
	public void afterAll(ExtensionContext context) throws IOException {
		if (!context.getUniqueId().equals(this.owner)) {
			return;
		}
		this.owner = null;
		stop();
		if (this.directory != null) {
			try (var files = Files.list(this.directory)) {
				for (Path file : files.toList()) {
					Files.deleteIfExists(file);
				}
			}
			Files.deleteIfExists(this.directory);
		}
	}

	/**
	 * The port Redis listens on, on 127.0.0.1.
	 * @return the port
	 */
	public int port() {
		return this.port;
	}

	/**
	 * The URL to give Spring Boot as {@code spring.data.redis.url}.
	 * @return the URL
	 */
	public String url() {
		return "redis://127.0.0.1:" + this.port;
	}

	/**
	 * Starts Redis (again) on its port, empty, and waits until it answers.
	 */
	public synchronized void start() {
		if (this.process != null && this.process.isAlive()) {
			return;
		}
		ProcessBuilder builder = new ProcessBuilder(BINARY, "--port", Integer.toString(this.port), "--bind",
				"127.0.0.1", "--save", "", "--appendonly", "no", "--dir", this.directory.toString(),
				"--notify-keyspace-events", "")
			.redirectErrorStream(true)
			.redirectOutput(this.directory.resolve("redis.log").toFile());
		try {
			this.process = builder.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		this.frozen = false;
		await("redis-server answering on port " + this.port).atMost(START_TIMEOUT)
			.pollInterval(Duration.ofMillis(50))
			.until(() -> "PONG".equals(ping()));
	}

	/**
	 * Stops Redis (SIGTERM, then SIGKILL) and waits for the process to end.
	 */
	public synchronized void stop() {
		if (this.process == null) {
			return;
		}
		thaw();
		this.process.destroy();
		try {
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.process = null;
	}

	/**
	 * Freezes Redis with {@code SIGSTOP}: connections stay open, nothing answers.
	 */
	public synchronized void freeze() {
		signal("STOP");
		this.frozen = true;
	}

	/**
	 * Lets a frozen Redis go on ({@code SIGCONT}).
	 */
	public synchronized void thaw() {
		if (this.frozen) {
			signal("CONT");
			this.frozen = false;
		}
	}

	/**
	 * Runs one Redis command over a fresh connection and returns its reply.
	 * @param command the command and its arguments
	 * @return the reply as text: a simple string, an integer, a bulk string, {@code null}
	 * for a null reply, or an array's elements one a line; an error reply throws
	 */
	public String command(String... command) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), this.port), 1000);
			socket.setSoTimeout(2000);
			StringBuilder request = new StringBuilder("*").append(command.length).append("\r\n");
			for (String part : command) {
				byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
				request.append('$').append(bytes.length).append("\r\n").append(part).append("\r\n");
			}
			socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
			RespReader reader = new RespReader(socket.getInputStream());
			return reader.read();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Every key Redis holds.
	 * @return the keys
	 */
	public List<String> keys() {
		String reply = command("KEYS", "*");
		return (reply == null || reply.isEmpty()) ? List.of() : List.of(reply.split("\n"));
	}

	/**
	 * Every key with its value rendered as text (strings, hashes, sets, lists and sorted
	 * sets), one {@code key=value} line each: what a test scans for secrets.
	 * @return the dump
	 */
	public List<String> dump() {
		List<String> lines = new ArrayList<>();
		for (String key : keys()) {
			String type = command("TYPE", key);
			String value = switch (type) {
				case "string" -> command("GET", key);
				case "hash" -> command("HGETALL", key);
				case "set" -> command("SMEMBERS", key);
				case "list" -> command("LRANGE", key, "0", "-1");
				case "zset" -> command("ZRANGE", key, "0", "-1", "WITHSCORES");
				default -> "<" + type + ">";
			};
			lines.add(key + "=" + value);
		}
		return lines;
	}

	/**
	 * Empties Redis.
	 */
	public void flushAll() {
		command("FLUSHALL");
	}

	private String ping() {
		try {
			return command("PING");
		}
		catch (UncheckedIOException ex) {
			return null;
		}
	}

	private void signal(String signal) {
		if (this.process == null || !this.process.isAlive()) {
			return;
		}
		try {
			Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(this.process.pid())).start();
			if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
				throw new IllegalStateException("kill -" + signal + " failed");
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	/**
	 * Reads one RESP reply, flattening arrays into lines.
	 */
	private static final class RespReader {

		private final java.io.InputStream in;

		RespReader(java.io.InputStream in) {
			this.in = new java.io.BufferedInputStream(in);
		}

		String read() throws IOException {
			String line = line();
			char kind = line.charAt(0);
			String rest = line.substring(1);
			return switch (kind) {
				case '+', ':' -> rest;
				case '-' -> throw new IllegalStateException("Redis error: " + rest);
				case '$' -> bulk(Integer.parseInt(rest));
				case '*' -> array(Integer.parseInt(rest));
				default -> throw new IllegalStateException("Unexpected Redis reply: " + line);
			};
		}

		private String bulk(int length) throws IOException {
			if (length < 0) {
				return null;
			}
			byte[] bytes = this.in.readNBytes(length + 2);
			return new String(bytes, 0, length, StandardCharsets.UTF_8);
		}

		private String array(int count) throws IOException {
			List<String> elements = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				elements.add(read());
			}
			return String.join("\n", elements);
		}

		private String line() throws IOException {
			StringBuilder line = new StringBuilder();
			int previous = -1;
			for (int c = this.in.read(); c != -1; c = this.in.read()) {
				if (previous == '\r' && c == '\n') {
					line.setLength(line.length() - 1);
					return line.toString();
				}
				line.append((char) c);
				previous = c;
			}
			throw new IOException("Redis closed the connection");
		}

	}

}
