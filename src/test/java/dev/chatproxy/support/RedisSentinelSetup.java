package dev.chatproxy.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.awaitility.Awaitility.await;

/**
 * A real Sentinel-managed Redis for a test class: one primary, one replica and three
 * sentinels ({@code redis-server sentinel.conf --sentinel}) on free loopback ports,
 * stopped by PID after the class. A failover can be forced under load.
 */
public final class RedisSentinelSetup implements BeforeAllCallback, AfterAllCallback, FleetRedis {

	/** The name the sentinels know the primary by. */
	public static final String MASTER = "chat-proxy-primary";

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private final Map<Integer, Process> servers = new LinkedHashMap<>();

	private final Map<Integer, Process> sentinels = new LinkedHashMap<>();

	private Path directory;

	@Override
	public void beforeAll(ExtensionContext context) throws IOException {
		RedisProcesses.requireRedis();
		this.directory = Files.createTempDirectory("chat-proxy-redis-sentinel");
		int primary = RedisProcesses.freePort();
		startServer(primary, List.of());
		int replica = RedisProcesses.freePort();
		startServer(replica, List.of("--replicaof", "127.0.0.1", Integer.toString(primary)));
		await("replica in sync").atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> {
			String info = RedisProcesses.tryCommand(replica, "INFO", "replication");
			return info != null && info.contains("master_link_status:up");
		});
		for (int i = 0; i < 3; i++) {
			int port = RedisProcesses.freePort();
			Path config = this.directory.resolve("sentinel-" + port + ".conf");
			// sentinels rewrite their configuration: one writable file each
			Files.writeString(config, String.join("\n", "port " + port, "bind 127.0.0.1",
					"sentinel monitor " + MASTER + " 127.0.0.1 " + primary + " 2",
					"sentinel down-after-milliseconds " + MASTER + " 1000",
					"sentinel failover-timeout " + MASTER + " 5000", "sentinel parallel-syncs " + MASTER + " 1", ""));
			this.sentinels.put(port,
					RedisProcesses.start(this.directory, "sentinel-" + port, List.of(config.toString(), "--sentinel")));
		}
		await("three sentinels agreeing on the primary and its replica").atMost(TIMEOUT)
			.pollInterval(Duration.ofMillis(200))
			.until(() -> this.sentinels.keySet().stream().allMatch((port) -> {
				String master = RedisProcesses.tryCommand(port, "SENTINEL", "MASTER", MASTER);
				return master != null && master.contains("num-other-sentinels\n2") && master.contains("num-slaves\n1");
			}));
	}

	@Override
	public void afterAll(ExtensionContext context) {
		this.sentinels.values().forEach(RedisProcesses::stop);
		this.servers.values().forEach(RedisProcesses::stop);
		RedisProcesses.deleteRecursively(this.directory);
	}

	@Override
	public List<String> springProperties() {
		return List.of("spring.data.redis.sentinel.master=" + MASTER, "spring.data.redis.sentinel.nodes="
				+ this.sentinels.keySet().stream().map((port) -> "127.0.0.1:" + port).collect(Collectors.joining(",")));
	}

	/**
	 * The port of the primary the sentinels name now.
	 * @return the port
	 */
	public int primary() {
		String address = RedisProcesses.command(this.sentinels.keySet().iterator().next(), "SENTINEL",
				"GET-MASTER-ADDR-BY-NAME", MASTER);
		return Integer.parseInt(address.split("\n")[1]);
	}

	@Override
	public List<String> keys() {
		String reply = RedisProcesses.command(primary(), "KEYS", "*");
		return (reply == null || reply.isEmpty()) ? List.of() : new ArrayList<>(List.of(reply.split("\n")));
	}

	@Override
	public void flushAll() {
		RedisProcesses.command(primary(), "FLUSHALL");
	}

	@Override
	public String command(String... command) {
		return RedisProcesses.command(primary(), command);
	}

	/**
	 * Makes the replica the primary ({@code SENTINEL FAILOVER}) and waits until every
	 * sentinel names it and it takes writes.
	 */
	public void failover() {
		int before = primary();
		RedisProcesses.command(this.sentinels.keySet().iterator().next(), "SENTINEL", "FAILOVER", MASTER);
		await("failover to the replica").atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> {
			for (int sentinel : this.sentinels.keySet()) {
				String address = RedisProcesses.tryCommand(sentinel, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER);
				if (address == null || address.endsWith("\n" + before)) {
					return false;
				}
			}
			String role = RedisProcesses.tryCommand(primary(), "ROLE");
			return role != null && role.startsWith("master");
		});
	}

	private void startServer(int port, List<String> more) {
		List<String> arguments = new ArrayList<>(
				List.of("--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"));
		arguments.addAll(more);
		this.servers.put(port, RedisProcesses.start(this.directory, "redis-" + port, arguments));
		await("redis-server on port " + port).atMost(TIMEOUT)
			.pollInterval(Duration.ofMillis(50))
			.until(() -> "PONG".equals(RedisProcesses.tryCommand(port, "PING")));
	}

}
