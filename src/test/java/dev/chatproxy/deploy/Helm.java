package dev.chatproxy.deploy;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

import static org.assertj.core.api.Assertions.fail;

/**
 * Runs the helm binary (from the {@code HELM} environment variable, else {@code helm} on
 * the {@code PATH}) against the chart in {@code helm/chat-proxy}, with a bounded timeout.
 */
final class Helm {

	static final Path CHART = Path.of("helm", "chat-proxy");

	private static final long TIMEOUT_SECONDS = 60;

	private final Path binary;

	private Helm(Path binary) {
		this.binary = binary;
	}

	/**
	 * Finds helm; when it is missing the calling test is skipped, except on CI
	 * ({@code CI=true}) where it fails: CI must never skip the chart tests silently.
	 */
	static Helm locate() {
		return locate(System.getenv());
	}

	static Helm locate(Map<String, String> environment) {
		Optional<Path> binary = fromHelmVariable(environment.get("HELM")).or(() -> fromPath(environment.get("PATH")));
		if (binary.isEmpty()) {
			String message = "helm is missing: set HELM to its path or put helm on the PATH (.ci/chart-check --print-helm fetches one)";
			if ("true".equalsIgnoreCase(environment.get("CI"))) {
				fail(message + " [CI=true, so this fails instead of being skipped]");
			}
			Assumptions.abort(message);
		}
		return new Helm(binary.get());
	}

	private static Optional<Path> fromHelmVariable(String helm) {
		if (helm == null || helm.isBlank()) {
			return Optional.empty();
		}
		Path path = Path.of(helm);
		if (!Files.isExecutable(path)) {
			fail("HELM=" + helm + " is not an executable file");
		}
		return Optional.of(path);
	}

	private static Optional<Path> fromPath(String path) {
		if (path == null) {
			return Optional.empty();
		}
		return Arrays.stream(path.split(File.pathSeparator))
			.filter((dir) -> !dir.isBlank())
			.map((dir) -> Path.of(dir, "helm"))
			.filter(Files::isExecutable)
			.findFirst();
	}

	/**
	 * Renders the chart as release {@code chat-proxy} and fails the test when helm fails.
	 */
	RenderedChart template(String... args) {
		Result result = run("template", args);
		if (result.exitCode() != 0) {
			fail("helm template failed (exit " + result.exitCode() + "): " + result.stderr());
		}
		return RenderedChart.parse(result.stdout());
	}

	/**
	 * Renders the chart as {@code helm install --dry-run=client} does, which also renders
	 * NOTES.txt, and returns the whole output.
	 */
	String installDryRun(String... args) {
		Result result = run("install", args, "--dry-run=client");
		if (result.exitCode() != 0) {
			fail("helm install --dry-run=client failed (exit " + result.exitCode() + "): " + result.stderr());
		}
		return result.stdout();
	}

	/**
	 * Runs {@code helm template} and returns its outcome, failed or not.
	 */
	Result tryTemplate(String... args) {
		return run("template", args);
	}

	private Result run(String command, String[] args, String... extra) {
		List<String> commandLine = new ArrayList<>(
				List.of(this.binary.toString(), command, "chat-proxy", CHART.toString(), "--namespace", "chat-proxy"));
		commandLine.addAll(List.of(args));
		commandLine.addAll(List.of(extra));
		try {
			Path stdout = Files.createTempFile("helm", ".out");
			Path stderr = Files.createTempFile("helm", ".err");
			try {
				Process process = new ProcessBuilder(commandLine).redirectOutput(stdout.toFile())
					.redirectError(stderr.toFile())
					.start();
				if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
					process.destroyForcibly();
					fail("helm did not finish within " + TIMEOUT_SECONDS + "s: " + commandLine);
				}
				return new Result(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
						Files.readString(stderr, StandardCharsets.UTF_8));
			}
			finally {
				Files.deleteIfExists(stdout);
				Files.deleteIfExists(stderr);
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not run " + commandLine, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while running " + commandLine, ex);
		}
	}

	/**
	 * Outcome of one helm run.
	 */
	record Result(int exitCode, String stdout, String stderr) {
	}

}
