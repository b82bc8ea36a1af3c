package dev.chatproxy.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.awaitility.Awaitility.await;

/**
 * A real Redis Cluster for a test class: three primaries with one replica each
 * ({@code redis-server --cluster-enabled yes} and {@code redis-cli --cluster create
 * --cluster-replicas 1}) on free loopback ports, stopped by PID after the class. A
 * primary can be killed; its replica takes over.
 */
public final class RedisClusterSetup implements BeforeAllCallback, AfterAllCallback, FleetRedis {

	private static final String CLI = System.getenv().getOrDefault("REDIS_CLI", "/usr/bin/redis-cli");

	private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

	private final Map<Integer, Process> nodes = new LinkedHashMap<>();

	private Path directory;

	@Override
	public void beforeAll(ExtensionContext context) throws IOException {
		RedisProcesses.requireRedis();
		this.directory = Files.createTempDirectory("chat-proxy-redis-cluster");
		for (int i = 0; i < 6; i++) {
			int port = RedisProcesses.freePort();
			Path node = Files.createDirectories(this.directory.resolve(Integer.toString(port)));
			this.nodes.put(port,
					RedisProcesses.start(node, "redis",
							List.of("--port", Integer.toString(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
									"--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1000",
									// a replica takes over however long it last heard its
									// primary: on a loaded machine a 1 s node timeout
									// times the default factor can bar every replica
									"--cluster-replica-validity-factor", "0", "--save", "", "--appendonly", "no")));
		}
		for (int port : this.nodes.keySet()) {
			await("cluster node on port " + port).atMost(START_TIMEOUT)
				.pollInterval(Duration.ofMillis(50))
				.until(() -> "PONG".equals(RedisProcesses.tryCommand(port, "PING")));
		}
		List<String> create = new ArrayList<>(List.of(CLI, "--cluster", "create"));
		this.nodes.keySet().forEach((port) -> create.add("127.0.0.1:" + port));
		create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
		run(create);
		awaitHealthy();
	}

	@Override
	public void afterAll(ExtensionContext context) {
		this.nodes.values().forEach(RedisProcesses::stop);
		this.nodes.clear();
		RedisProcesses.deleteRecursively(this.directory);
	}

	@Override
	public List<String> springProperties() {
		return List.of("spring.data.redis.cluster.nodes="
				+ this.nodes.keySet().stream().map((port) -> "127.0.0.1:" + port).collect(Collectors.joining(",")));
	}

	/**
	 * The ports of the primaries that are alive.
	 * @return the ports
	 */
	public List<Integer> primaries() {
		return alive().stream().filter((port) -> {
			String role = RedisProcesses.tryCommand(port, "ROLE");
			return role != null && role.startsWith("master");
		}).toList();
	}

	@Override
	public List<String> keys() {
		List<String> keys = new ArrayList<>();
		for (int port : primaries()) {
			String reply = RedisProcesses.command(port, "KEYS", "*");
			if (reply != null && !reply.isEmpty()) {
				keys.addAll(List.of(reply.split("\n")));
			}
		}
		return keys;
	}

	@Override
	public void flushAll() {
		primaries().forEach((port) -> RedisProcesses.command(port, "FLUSHALL"));
	}

	@Override
	public String command(String... command) {
		for (int port : primaries()) {
			try {
				return RedisProcesses.command(port, command);
			}
			catch (IllegalStateException ex) {
				if (!String.valueOf(ex.getMessage()).contains("MOVED")) {
					throw ex;
				}
			}
		}
		throw new IllegalStateException("No primary took " + String.join(" ", command));
	}

	/**
	 * A primary that holds a subscription to a channel (the fleet's pub/sub connection,
	 * if it is on a primary), else any primary.
	 * @return its port
	 */
	public int primaryWithSubscribers() {
		List<Integer> primaries = primaries();
		return primaries.stream().filter((port) -> {
			String clients = RedisProcesses.tryCommand(port, "CLIENT", "LIST");
			return clients != null && clients.lines().anyMatch((client) -> !client.contains(" sub=0 "));
		}).findFirst().orElse(primaries.get(0));
	}

	/**
	 * Kills a primary ({@code SIGKILL}) that serves keys.
	 * @param port its port
	 */
	public void kill(int port) {
		Process process = this.nodes.get(port);
		RedisProcesses.kill(process);
	}

	/**
	 * Waits until every slot is served again (after a kill: by the promoted replica).
	 */
	public void awaitHealthy() {
		await("every node of the cluster reporting cluster_state:ok").atMost(START_TIMEOUT.multipliedBy(2))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> alive().stream().allMatch((port) -> {
				String info = RedisProcesses.tryCommand(port, "CLUSTER", "INFO");
				return info != null && info.contains("cluster_state:ok");
			}) && primaries().size() == 3);
	}

	private List<Integer> alive() {
		return this.nodes.entrySet()
			.stream()
			.filter((node) -> node.getValue().isAlive())
			.map(Map.Entry::getKey)
			.toList();
	}

	private void run(List<String> command) {
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(this.directory.resolve("create.log").toFile())
				.start();
			if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
				process.destroyForcibly();
				throw new IllegalStateException(
						"redis-cli --cluster create failed: " + Files.readString(this.directory.resolve("create.log")));
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
