package dev.chatproxy.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
		RedisProcesses.requireRedis();
		this.port = RedisProcesses.freePort();
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
		ProcessBuilder builder = new ProcessBuilder(RedisProcesses.BINARY, "--port", Integer.toString(this.port),
				"--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", this.directory.toString(),
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
		return RedisProcesses.command(this.port, command);
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

}
