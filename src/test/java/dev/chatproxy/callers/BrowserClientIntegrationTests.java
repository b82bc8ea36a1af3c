package dev.chatproxy.callers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.ProxyIntegrationTest;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.micrometer.tracing.test.autoconfigure.AutoConfigureTracing;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CORS as a browser enforces it: Debian's headless Chromium, driven by playwright-core,
 * opens a page served from another origin that lists chats through the generated
 * TypeScript client ({@code clients/browser-test}), the page's trace context included.
 */
@ProxyIntegrationTest
@AutoConfigureTracing
class BrowserClientIntegrationTests {

	private static final Path CLIENTS = Path.of("clients");

	private static final String WEBHOOK_SECRET = "whsec_browser_0123456789";

	private static final int allowedPagePort = freePort();

	private static final JsonMapper json = JsonMapper.builder().build();

	private static final WireMockServer postpress = Postpress.server();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("proxy.cors.allowed-origins", () -> "http://127.0.0.1:" + allowedPagePort);
		registry.add("proxy.webhook.secret", () -> WEBHOOK_SECRET);
	}

	@LocalServerPort
	int port;

	@BeforeAll
	static void browserAndClient() throws Exception {
		boolean ready = Files.isExecutable(Path.of("/usr/bin/chromium"))
				&& Files.isDirectory(CLIENTS.resolve("node_modules/playwright-core"));
		if (!ready) {
			// CI must run it; elsewhere it needs `apt-get install chromium` and `npm ci`
			assertThat("true".equals(System.getenv("CI"))).as("CI without /usr/bin/chromium or clients/node_modules")
				.isFalse();
			Assumptions.abort("needs /usr/bin/chromium and `npm ci` in clients/");
		}
		assertThat(run(List.of("node", "node_modules/typescript/bin/tsc", "-p", "typescript"))).isZero();
	}

	@Test
	void listsChatsFromAnAllowedOrigin() throws Exception {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(3, null)));

		JsonNode page = openPage(allowedPagePort, "loaded", "target/browser/cors-allowed-origin.png");

		assertThat(page.path("status").asString()).isEqualTo("loaded 3 chats (chat-proxy; fwd=uri-miss; stored)");
		assertThat(page.path("chats")).hasSize(3);
		assertThat(page.path("chats").get(0).asString()).isEqualTo("Contact 0 · LINKEDIN · 0 unread");
		assertThat(Path.of("target/browser/cors-allowed-origin.png")).isNotEmptyFile();
	}

	@Test
	void showsALiveUpdateAndReReadsTheListFromTheCache() throws Exception {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(3, null)));
		String webhook = """
				{"event": "message_received", "account_id": "acc_1", "chat_id": "chat_0",
				 "sender": {"attendee_id": "att_2"}, "attendees": [{"attendee_id": "att_1"}]}""";

		JsonNode page = openPage(allowedPagePort, "loaded", "target/browser/live-update.png", "--webhook-secret",
				WEBHOOK_SECRET, "--webhook-body", webhook);

		assertThat(page.path("status").asString()).isEqualTo("loaded 3 chats (chat-proxy; fwd=uri-miss; stored)");
		assertThat(page.path("live").asString())
			.isEqualTo("chats-changed message_received chat_0, re-read: chat-proxy; hit; ttl=30");
	}

	@Test
	void isBlockedByTheBrowserFromAnOriginNotListed() throws Exception {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(3, null)));

		JsonNode page = openPage(freePort(), "failed", "target/browser/cors-other-origin.png");

		assertThat(page.path("status").asString()).startsWith("failed: ");
		assertThat(page.path("chats")).isEmpty();
		assertThat(page.path("console").toString()).contains("CORS");
	}

	@Test
	void continuesTheTraceOfThePageUpToPostpress() throws Exception {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(3, null)));
		String traceId = "0af7651916cd43dd8448eb211c80319c";

		JsonNode page = openPage(allowedPagePort, "loaded", "target/browser/cors-traceparent.png", "--traceparent",
				"00-" + traceId + "-b7ad6b7169203331-01");

		assertThat(page.path("status").asString()).startsWith("loaded 3 chats");
		// the preflight allowed the header, and the proxy passed the trace on
		assertThat(postpress.findAll(WireMock.anyRequestedFor(WireMock.anyUrl()))).singleElement()
			.satisfies((call) -> assertThat(call.getHeader("traceparent")).startsWith("00-" + traceId + "-"));
	}

	private JsonNode openPage(int pagePort, String expected, String screenshot, String... more) throws Exception {
		List<String> output = new ArrayList<>();
		List<String> command = new ArrayList<>(List.of("node", "browser-test/run.mjs", "--proxy",
				"http://127.0.0.1:" + this.port, "--attendee", "att_1", "--page-port", Integer.toString(pagePort),
				"--expect", expected, "--screenshot", Path.of(screenshot).toAbsolutePath().toString()));
		command.addAll(List.of(more));
		int exit = run(command, output);
		assertThat(exit).as(String.join("\n", output)).isZero();
		return json.readTree(output.get(output.size() - 1));
	}

	private static int run(List<String> command) throws Exception {
		return run(command, new ArrayList<>());
	}

	private static int run(List<String> command, List<String> output) throws Exception {
		Path log = Files.createTempFile("browser-test", ".log");
		Process process = new ProcessBuilder(command).directory(CLIENTS.toFile())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		try {
			if (!process.waitFor(90, TimeUnit.SECONDS)) {
				output.add("timed out: " + command);
				return -1;
			}
			return process.exitValue();
		}
		finally {
			process.descendants().forEach(ProcessHandle::destroy);
			process.destroy();
			output.addAll(Files.readAllLines(log, StandardCharsets.UTF_8));
			Files.delete(log);
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
