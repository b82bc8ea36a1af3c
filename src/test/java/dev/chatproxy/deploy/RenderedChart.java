package dev.chatproxy.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The manifests of one {@code helm template} run, parsed from its multi-document YAML,
 * with small accessors for navigating them in assertions.
 */
final class RenderedChart {

	private final String text;

	private final List<Map<String, Object>> manifests;

	private RenderedChart(String text, List<Map<String, Object>> manifests) {
		this.text = text;
		this.manifests = manifests;
	}

	@SuppressWarnings("unchecked")
	static RenderedChart parse(String text) {
		List<Map<String, Object>> manifests = new ArrayList<>();
		for (Object document : yaml().loadAll(text)) {
			if (document != null) {
				manifests.add((Map<String, Object>) document);
			}
		}
		return new RenderedChart(text, manifests);
	}

	static Yaml yaml() {
		LoaderOptions options = new LoaderOptions();
		options.setCodePointLimit(16 * 1024 * 1024);
		return new Yaml(options);
	}

	String text() {
		return this.text;
	}

	List<String> kinds() {
		return this.manifests.stream().map((manifest) -> (String) manifest.get("kind")).collect(Collectors.toList());
	}

	/**
	 * The only manifest of the given kind; fails when there is none or more than one.
	 */
	Map<String, Object> one(String kind) {
		List<Map<String, Object>> found = this.manifests.stream()
			.filter((manifest) -> kind.equals(manifest.get("kind")))
			.collect(Collectors.toList());
		assertThat(found).as("manifests of kind %s in %s", kind, kinds()).hasSize(1);
		return found.get(0);
	}

	/**
	 * The Deployment's pod template spec.
	 */
	Map<String, Object> podSpec() {
		return map(one("Deployment"), "spec", "template", "spec");
	}

	/**
	 * The Deployment's application container.
	 */
	Map<String, Object> container() {
		List<Map<String, Object>> containers = list(podSpec(), "containers");
		assertThat(containers).hasSize(1);
		return containers.get(0);
	}

	/**
	 * The container's plain environment variables ({@code value}, not {@code valueFrom}).
	 */
	Map<String, String> env() {
		return RenderedChart.<Map<String, Object>>list(container(), "env")
			.stream()
			.filter((entry) -> entry.containsKey("value"))
			.collect(Collectors.toMap((entry) -> (String) entry.get("name"),
					(entry) -> Objects.toString(entry.get("value"))));
	}

	/**
	 * The {@code valueFrom} of one environment variable.
	 */
	Map<String, Object> envValueFrom(String name) {
		return RenderedChart.<Map<String, Object>>list(container(), "env")
			.stream()
			.filter((entry) -> name.equals(entry.get("name")))
			.map((entry) -> map(entry, "valueFrom"))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no env " + name));
	}

	/**
	 * Follows a path of keys through nested maps.
	 */
	@SuppressWarnings("unchecked")
	static Map<String, Object> map(Map<String, Object> from, String... path) {
		Object current = from;
		for (String key : path) {
			assertThat(current).as("parent of %s", key).isInstanceOf(Map.class);
			current = ((Map<String, Object>) current).get(key);
		}
		assertThat(current).as(String.join(".", path)).isInstanceOf(Map.class);
		return (Map<String, Object>) current;
	}

	@SuppressWarnings("unchecked")
	static <T> List<T> list(Map<String, Object> from, String key) {
		Object value = from.get(key);
		assertThat(value).as(key).isInstanceOf(List.class);
		return (List<T>) value;
	}

}
