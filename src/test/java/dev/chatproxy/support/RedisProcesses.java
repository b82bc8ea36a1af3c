package dev.chatproxy.support;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Debian's {@code redis-server} processes for the topology tests (Sentinel, Cluster,
 * TLS): started on free loopback ports, stopped by PID, also when the JVM exits, and
 * spoken to over RESP on a fresh connection per command.
 */
public final class RedisProcesses {

	static final String BINARY = System.getenv().getOrDefault("REDIS_SERVER", "/usr/bin/redis-server");

	private static final Set<Process> running = ConcurrentHashMap.newKeySet();

	static {
		Runtime.getRuntime().addShutdownHook(new Thread(() -> running.forEach(Process::destroyForcibly)));
	}

	private RedisProcesses() {
	}

	/**
	 * Fails under {@code CI=true}, and skips elsewhere, when {@code redis-server} is
	 * missing.
	 */
	static void requireRedis() {
		boolean installed = Files.isExecutable(Path.of(BINARY));
		if (!installed && "true".equalsIgnoreCase(System.getenv("CI"))) {
			throw new IllegalStateException(BINARY + " is missing: .ci/run installs Debian's redis-server");
		}
		Assumptions.assumeTrue(installed,
				() -> BINARY + " is missing: these tests need a real Redis (apt-get install redis-server)");
	}

	/**
	 * Starts {@code redis-server} with arguments, its output in {@code <name>.log}.
	 * @param directory where its files go
	 * @param name the log's name
	 * @param arguments the arguments
	 * @return the process
	 */
	static Process start(Path directory, String name, List<String> arguments) {
		List<String> command = new ArrayList<>();
		command.add(BINARY);
		command.addAll(arguments);
		try {
			Process process = new ProcessBuilder(command).directory(directory.toFile())
				.redirectErrorStream(true)
				.redirectOutput(directory.resolve(name + ".log").toFile())
				.start();
			running.add(process);
			return process;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Stops a process (SIGTERM, then SIGKILL) and waits for it to end.
	 * @param process the process
	 */
	static void stop(Process process) {
		process.destroy();
		try {
			if (!process.waitFor(10, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		running.remove(process);
	}

	/**
	 * Kills a process at once ({@code SIGKILL}), as a crashed node.
	 * @param process the process
	 */
	static void kill(Process process) {
		try {
			process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		running.remove(process);
	}

	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static void deleteRecursively(Path directory) {
		if (directory == null || !Files.exists(directory)) {
			return;
		}
		try (var files = Files.walk(directory)) {
			for (Path file : files.sorted((a, b) -> b.compareTo(a)).toList()) {
				Files.deleteIfExists(file);
			}
		}
		catch (IOException ex) {
			// a leftover temporary file
		}
	}

	/**
	 * Runs one command on the plain port of a node.
	 * @param port the port, on 127.0.0.1
	 * @param command the command and its arguments
	 * @return the reply as text (arrays one element a line); an error reply throws
	 */
	public static String command(int port, String... command) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
			socket.setSoTimeout(5000);
			StringBuilder request = new StringBuilder("*").append(command.length).append("\r\n");
			for (String part : command) {
				request.append('$')
					.append(part.getBytes(StandardCharsets.UTF_8).length)
					.append("\r\n")
					.append(part)
					.append("\r\n");
			}
			socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
			return read(new BufferedInputStream(socket.getInputStream()));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Runs one command, answering {@code null} when the node does not answer.
	 * @param port the port
	 * @param command the command
	 * @return the reply, or {@code null}
	 */
	static String tryCommand(int port, String... command) {
		try {
			return command(port, command);
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

	private static String read(InputStream in) throws IOException {
		String line = line(in);
		String rest = line.substring(1);
		return switch (line.charAt(0)) {
			case '+', ':' -> rest;
			case '-' -> throw new IllegalStateException("Redis error: " + rest);
			case '$' -> {
				int length = Integer.parseInt(rest);
				yield (length < 0) ? null : new String(in.readNBytes(length + 2), 0, length, StandardCharsets.UTF_8);
			}
			case '*' -> {
				List<String> elements = new ArrayList<>();
				for (int i = 0; i < Integer.parseInt(rest); i++) {
					elements.add(read(in));
				}
				yield String.join("\n", elements);
			}
			default -> throw new IllegalStateException("Unexpected Redis reply: " + line);
		};
	}

	private static String line(InputStream in) throws IOException {
		StringBuilder line = new StringBuilder();
		int previous = -1;
		for (int c = in.read(); c != -1; c = in.read()) {
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
