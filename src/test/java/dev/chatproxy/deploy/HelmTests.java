package dev.chatproxy.deploy;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Checks how the chart tests find helm: skipped on a developer machine without it, but
 * never silently skipped on CI.
 */
class HelmTests {

	@Test
	void failsInsteadOfSkippingWhenHelmIsMissingOnCi() {
		assertThatExceptionOfType(AssertionError.class)
			.isThrownBy(() -> Helm.locate(Map.of("CI", "true", "PATH", "/nonexistent")))
			.withMessageContaining("helm is missing");
	}

	@Test
	void skipsWhenHelmIsMissingOutsideCi() {
		assertThatExceptionOfType(TestAbortedException.class)
			.isThrownBy(() -> Helm.locate(Map.of("PATH", "/nonexistent")))
			.withMessageContaining("helm is missing");
	}

	@Test
	void rejectsAHelmVariableThatIsNotAnExecutable() {
		assertThatExceptionOfType(AssertionError.class)
			.isThrownBy(() -> Helm.locate(Map.of("HELM", "/nonexistent/helm")))
			.withMessageContaining("HELM=/nonexistent/helm");
	}

}
