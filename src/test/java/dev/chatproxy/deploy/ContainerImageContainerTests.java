package dev.chatproxy.deploy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.github.dockerjava.api.command.InspectContainerResponse.ContainerState;
import com.github.dockerjava.api.command.TopContainerResponse;
import com.github.tomakehurst.wiremock.WireMockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.images.builder.ImageFromDockerfile;
import tools.jackson.databind.json.JsonMapper;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Builds the image from the repository's {@code Dockerfile} and the packaged jar, and
 * runs it the way production does: numeric user, read-only root file system with a tmpfs
 * {@code /tmp}, against a fake postpress on the loopback interface (host networking, so
 * nothing needs a bridge).
 */
class ContainerImageContainerTests {

	private static final String API_KEY = "pp_test_container_key_6f1d";

	private static final String BASE_IMAGE = System.getenv()
		.getOrDefault("CHAT_PROXY_BASE_IMAGE", "chat-proxy-base:jre25");

	private static final String PAGE = """
			{"object": "ChatList", "items": [{"object": "Chat", "id": "chat_1", "account_id": "acc_1",
			"account_type": "LINKEDIN", "provider_id": "urn:li:msg_conversation:1", "name": null, "type": 0,
			"timestamp": "2026-05-16T18:24:11.000Z", "unread_count": 0, "archived": 0, "muted_until": -1,
			"read_only": 0, "pinned": 0, "folder": ["INBOX"]}], "cursor": "eyJvIjoxMDB9"}""";

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private static ImageFromDockerfile image;

	private static WireMockServer postpress;

	private static GenericContainer<?> proxy;

	private static int serverPort;

	private static int managementPort;

	/** Why Docker cannot be used here, or {@code null} when it can. */
	private static String dockerProblem;

	@BeforeAll
	static void buildAndStartImage() throws IOException {
		dockerProblem = dockerProblem();
		if (dockerProblem != null) {
			return;
		}
		image = imageFromRepositoryDockerfile();
		postpress = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
		postpress.start();
		postpress.stubFor(get(urlPathEqualTo("/api/v1/chat_attendees/att_1/chats")).willReturn(okJson(PAGE)));
		serverPort = freePort();
		managementPort = freePort();
		proxy = hardenedContainer().withEnv("POSTPRESS_API_KEY", API_KEY)
			.withEnv("POSTPRESS_BASE_URL", "http://127.0.0.1:" + postpress.port() + "/api/v1")
			.withEnv("SERVER_PORT", String.valueOf(serverPort))
			.withEnv("MANAGEMENT_SERVER_PORT", String.valueOf(managementPort));
		long built = System.nanoTime();
		image.get();
		long started = System.nanoTime();
		proxy.start();
		await().atMost(Duration.ofMinutes(3))
			.pollInterval(Duration.ofMillis(200))
			.failFast("the container exited", () -> !proxy.isRunning())
			.until(() -> status(managementPort, "/actuator/health/readiness") == 200);
		long ready = System.nanoTime();
		System.out.printf("chat-proxy image built in %d ms, container ready in %d ms%n", (started - built) / 1_000_000,
				(ready - started) / 1_000_000);
	}

	@AfterAll
	static void stop() {
		if (proxy != null) {
			proxy.stop();
		}
		if (postpress != null) {
			postpress.stop();
		}
	}

	@Test
	void reportsReadyOnTheManagementPort() throws Exception {
		HttpResponse<String> response = send(managementPort, "/actuator/health/readiness");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(JsonMapper.shared().readTree(response.body()).path("status").asString()).isEqualTo("UP");
	}

	@Test
	void servesTheUpstreamPageAndAuthenticatesWithTheConfiguredKey() throws Exception {
		HttpResponse<String> response = send(serverPort, "/attendees/att_1/chats");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(JsonMapper.shared().readTree(response.body())).isEqualTo(JsonMapper.shared().readTree(PAGE));
		postpress.verify(getRequestedFor(urlPathEqualTo("/api/v1/chat_attendees/att_1/chats")).withHeader("X-API-KEY",
				equalTo(API_KEY)));
		assertThat(proxy.getLogs()).doesNotContain(API_KEY);
	}

	@Test
	void exposesPrometheusMetricsOnTheManagementPort() throws Exception {
		HttpResponse<String> response = send(managementPort, "/actuator/prometheus");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).contains("jvm_memory_used_bytes{").contains("application=\"chat-proxy\"");
	}

	@Test
	void runsAsTheNumericNonRootUser() {
		var docker = DockerClientFactory.instance().client();
		assertThat(docker.inspectImageCmd(image.get()).exec().getConfig().getUser()).isEqualTo("10001:10001");
		// ps on the Docker host sees the real process, so this holds whatever the image's
		// passwd says
		TopContainerResponse top = docker.topContainerCmd(proxy.getContainerId())
			.withPsArgs("-o pid,uid,gid,comm")
			.exec();
		assertThat(top.getTitles()).containsExactly("PID", "UID", "GID", "COMMAND");
		assertThat(Arrays.asList(top.getProcesses())).isNotEmpty()
			.allSatisfy(
					(process) -> assertThat(Arrays.asList(process).subList(1, 3)).containsExactly("10001", "10001"));
	}

	@Test
	void refusesToStartWithoutAnApiKey() {
		try (GenericContainer<?> unconfigured = hardenedContainer().withEnv("SERVER_PORT", String.valueOf(freePort()))
			.withEnv("MANAGEMENT_SERVER_PORT", String.valueOf(freePort()))
			.withStartupCheckStrategy(new UntilExited().withTimeout(Duration.ofMinutes(1)))) {
			unconfigured.start();
			ContainerState state = unconfigured.getCurrentContainerInfo().getState();
			assertThat(state.getExitCodeLong()).isNotZero();
			assertThat(unconfigured.getLogs()).contains("POSTPRESS_API_KEY");
		}
	}

	/** The image as production runs it: read-only root, writable /tmp, host network. */
	private static GenericContainer<?> hardenedContainer() {
		return new GenericContainer<>(image).withNetworkMode("host")
			.withTmpFs(Map.of("/tmp", "rw,size=64m"))
			.withCreateContainerCmdModifier((cmd) -> cmd.getHostConfig().withReadonlyRootfs(true));
	}

	/**
	 * The build context holds only what the Dockerfile copies: the Dockerfile and the
	 * jar.
	 */
	private static ImageFromDockerfile imageFromRepositoryDockerfile() throws IOException {
		Path root = Path.of("").toAbsolutePath();
		Path jar = packagedJar(root.resolve("target"));
		return new ImageFromDockerfile("chat-proxy:container-tests", false)
			.withFileFromPath("Dockerfile", root.resolve("Dockerfile"))
			.withFileFromPath("target/" + jar.getFileName(), jar)
			.withBuildArg("BASE_IMAGE", BASE_IMAGE)
			// CI reaches no registry: the base image must already be local
			.withBuildImageCmdModifier((cmd) -> cmd.withPull(false));
	}

	private static Path packagedJar(Path target) throws IOException {
		try (Stream<Path> files = Files.list(target)) {
			List<Path> jars = files.filter((file) -> file.getFileName().toString().endsWith(".jar")).toList();
			assertThat(jars).as("the jar from './mvnw package' in %s", target).hasSize(1);
			return jars.get(0);
		}
	}

	/**
	 * Skips each test, with the reason, when Docker is unusable outside CI. Per test
	 * rather than in {@code @BeforeAll}: Surefire reports a class skipped there as
	 * {@code Tests run: 0}, with no sign that, or why, it was skipped.
	 */
	@BeforeEach
	void requireDocker() {
		assumeTrue(dockerProblem == null, dockerProblem);
	}

	private static String dockerProblem() {
		String problem;
		try {
			problem = DockerClientFactory.instance().isDockerAvailable() ? null : "no Docker daemon answers";
		}
		catch (RuntimeException ex) {
			// e.g. a sandbox with /.dockerenv and a daemon without a bridge network:
			// Testcontainers then needs TESTCONTAINERS_HOST_OVERRIDE=localhost
			problem = ex.getMessage();
		}
		if (problem == null) {
			return null;
		}
		String message = "Docker is not usable (" + problem + "): run .ci/docker-up, which starts dockerd and builds "
				+ BASE_IMAGE + ", and set TESTCONTAINERS_HOST_OVERRIDE=localhost";
		if ("true".equals(System.getenv("CI"))) {
			fail(message + "; CI must run the container tests");
		}
		return message;
	}

	private static HttpResponse<String> send(int port, String path) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(10))
			.build();
		return http.send(request, HttpResponse.BodyHandlers.ofString());
	}

	private static int status(int port, String path) {
		try {
			return send(port, path).statusCode();
		}
		catch (IOException ex) {
			return -1;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return -1;
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Counts start-up as done once the container has exited, whatever its exit code. */
	private static final class UntilExited extends StartupCheckStrategy {

		@Override
		public StartupStatus checkStartupState(com.github.dockerjava.api.DockerClient docker, String containerId) {
			return Boolean.TRUE.equals(getCurrentState(docker, containerId).getRunning()) ? StartupStatus.NOT_YET_KNOWN
					: StartupStatus.SUCCESSFUL;
		}

	}

}
