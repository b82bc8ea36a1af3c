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
 * A real Redis that speaks only TLS to the proxy, with an ACL user: a test CA and a
 * server certificate for 127.0.0.1 made at test time with the {@code openssl} CLI,
 * {@code redis-server --tls-port}, and a user {@value #USER} allowed only the proxy's
 * keys and channels ({@code ~chat-proxy:* &chat-proxy:*}). The test itself administers
 * Redis over a plain port on loopback as the default user, which the proxy never uses.
 */
public final class RedisTlsAclSetup implements BeforeAllCallback, AfterAllCallback, FleetRedis {

	public static final String USER = "chat-proxy";

	public static final String PASSWORD = "fleet-test-password-5b1e";

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private Path directory;

	private int tlsPort;

	private int adminPort;

	private Process process;

	@Override
	public void beforeAll(ExtensionContext context) throws IOException {
		RedisProcesses.requireRedis();
		this.directory = Files.createTempDirectory("chat-proxy-redis-tls");
		openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=chat-proxy test CA",
				"-keyout", "ca.key", "-out", "ca.crt");
		openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "redis.key", "-out",
				"redis.csr");
		Files.writeString(this.directory.resolve("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
		openssl("x509", "-req", "-in", "redis.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days",
				"2", "-extfile", "san.ext", "-out", "redis.crt");
		this.tlsPort = RedisProcesses.freePort();
		this.adminPort = RedisProcesses.freePort();
		this.process = RedisProcesses.start(this.directory, "redis",
				List.of("--port", Integer.toString(this.adminPort), "--bind", "127.0.0.1", "--tls-port",
						Integer.toString(this.tlsPort), "--tls-cert-file", "redis.crt", "--tls-key-file", "redis.key",
						"--tls-ca-cert-file", "ca.crt", "--tls-auth-clients", "no", "--save", "", "--appendonly", "no",
						"--user", USER, "on", ">" + PASSWORD, "~chat-proxy:*", "&chat-proxy:*", "+@all"));
		await("redis-server with TLS").atMost(TIMEOUT)
			.pollInterval(Duration.ofMillis(50))
			.until(() -> "PONG".equals(RedisProcesses.tryCommand(this.adminPort, "PING")));
	}

	@Override
	public void afterAll(ExtensionContext context) {
		if (this.process != null) {
			RedisProcesses.stop(this.process);
		}
		RedisProcesses.deleteRecursively(this.directory);
	}

	@Override
	public List<String> springProperties() {
		return List.of("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + this.tlsPort,
				"spring.data.redis.username=" + USER, "spring.data.redis.password=" + PASSWORD,
				"spring.data.redis.ssl.enabled=true", "spring.data.redis.ssl.bundle=redis",
				"spring.ssl.bundle.pem.redis.truststore.certificate=file:" + this.directory.resolve("ca.crt"));
	}

	@Override
	public List<String> keys() {
		String reply = RedisProcesses.command(this.adminPort, "KEYS", "*");
		return (reply == null || reply.isEmpty()) ? List.of() : new ArrayList<>(List.of(reply.split("\n")));
	}

	@Override
	public void flushAll() {
		RedisProcesses.command(this.adminPort, "FLUSHALL");
	}

	@Override
	public String command(String... command) {
		return RedisProcesses.command(this.adminPort, command);
	}

	/**
	 * Freezes Redis ({@code SIGSTOP}): connections stay open, nothing answers.
	 */
	public void freeze() {
		signal("STOP");
	}

	/**
	 * Lets a frozen Redis go on ({@code SIGCONT}).
	 */
	public void thaw() {
		signal("CONT");
	}

	/**
	 * The ACL log: the commands Redis refused the proxy's user.
	 * @return the log as text, empty when nothing was refused
	 */
	public String aclLog() {
		String log = RedisProcesses.command(this.adminPort, "ACL", "LOG");
		return (log != null) ? log : "";
	}

	private void signal(String signal) {
		run(List.of("kill", "-" + signal, Long.toString(this.process.pid())));
	}

	private void openssl(String... arguments) {
		List<String> command = new ArrayList<>(List.of("openssl"));
		command.addAll(List.of(arguments));
		run(command);
	}

	private void run(List<String> command) {
		try {
			Process run = new ProcessBuilder(command).directory(this.directory.toFile())
				.redirectErrorStream(true)
				.redirectOutput(this.directory.resolve("commands.log").toFile())
				.start();
			if (!run.waitFor(60, TimeUnit.SECONDS) || run.exitValue() != 0) {
				run.destroyForcibly();
				throw new IllegalStateException(String.join(" ", command) + " failed: "
						+ Files.readString(this.directory.resolve("commands.log")));
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
