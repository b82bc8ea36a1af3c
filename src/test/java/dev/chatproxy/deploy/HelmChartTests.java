package dev.chatproxy.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.chatproxy.deploy.RenderedChart.list;
import static dev.chatproxy.deploy.RenderedChart.map;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Renders the Helm chart in {@code helm/chat-proxy} with {@code helm template} and checks
 * what Kubernetes would receive: hardening, the API key's path, probes, configuration and
 * the optional resources.
 */
class HelmChartTests {

	private static final String EXISTING_SECRET = "--set=apiKey.existingSecret=chat-proxy-postpress";

	private static final String ALL_FEATURES = "--values=" + Helm.CHART.resolve("ci/all-features-values.yaml");

	private Helm helm;

	/**
	 * Per test rather than per class: a class skipped in {@code @BeforeAll} is reported
	 * by Surefire as {@code Tests run: 0}, with no sign that, or why, it was skipped.
	 */
	@BeforeEach
	void locateHelm() {
		this.helm = Helm.locate();
	}

	@Test
	void runsAsNonRootWithHardenedSecurityContexts() {
		RenderedChart chart = this.helm.template(EXISTING_SECRET);
		Map<String, Object> pod = map(chart.podSpec(), "securityContext");
		assertThat(pod).containsEntry("runAsNonRoot", true)
			.containsEntry("runAsUser", 10001)
			.containsEntry("runAsGroup", 10001)
			.containsEntry("fsGroup", 10001);
		assertThat(map(pod, "seccompProfile")).containsEntry("type", "RuntimeDefault");
		Map<String, Object> container = map(chart.container(), "securityContext");
		assertThat(container).containsEntry("allowPrivilegeEscalation", false)
			.containsEntry("readOnlyRootFilesystem", true);
		assertThat(list(map(container, "capabilities"), "drop")).containsExactly("ALL");
		assertThat(chart.podSpec()).containsEntry("automountServiceAccountToken", false)
			.containsEntry("enableServiceLinks", false);
		assertThat(chart.one("ServiceAccount")).containsEntry("automountServiceAccountToken", false);
	}

	@Test
	void mountsAnEmptyDirAtTmpAsTheOnlyWritablePath() {
		RenderedChart chart = this.helm.template(EXISTING_SECRET);
		List<Map<String, Object>> mounts = list(chart.container(), "volumeMounts");
		assertThat(mounts).containsExactly(Map.of("name", "tmp", "mountPath", "/tmp"));
		List<Map<String, Object>> volumes = list(chart.podSpec(), "volumes");
		assertThat(volumes).hasSize(1);
		assertThat(volumes.get(0)).containsEntry("name", "tmp").containsKey("emptyDir");
	}

	@Test
	void readsTheApiKeyFromAnExistingSecret() {
		RenderedChart chart = this.helm.template(EXISTING_SECRET, "--set=apiKey.existingSecretKey=token");
		assertThat(map(chart.envValueFrom("POSTPRESS_API_KEY"), "secretKeyRef"))
			.containsExactlyInAnyOrderEntriesOf(Map.of("name", "chat-proxy-postpress", "key", "token"));
		assertThat(chart.kinds()).doesNotContain("Secret");
		assertThat(chart.env()).doesNotContainKey("POSTPRESS_API_KEY");
	}

	@Test
	void createsASecretFromAValueThatNeverAppearsInTheDeploymentOrNotes() {
		String key = "pp-live-7f3a9c2e41d8";
		String encoded = Base64.getEncoder().encodeToString(key.getBytes());
		RenderedChart chart = this.helm.template("--set=apiKey.value=" + key);
		Map<String, Object> secret = chart.one("Secret");
		assertThat(map(secret, "data")).containsEntry("api-key", encoded);
		String secretName = (String) map(secret, "metadata").get("name");
		assertThat(map(chart.envValueFrom("POSTPRESS_API_KEY"), "secretKeyRef"))
			.containsExactlyInAnyOrderEntriesOf(Map.of("name", secretName, "key", "api-key"));
		String deployment = RenderedChart.yaml().dump(chart.one("Deployment"));
		assertThat(deployment).doesNotContain(key).doesNotContain(encoded);
		String notes = notesOf(helm.installDryRun("--set=apiKey.value=" + key));
		assertThat(notes).contains("port-forward").contains(secretName).doesNotContain(key).doesNotContain(encoded);
	}

	@Test
	void rollsThePodsWhenTheChartCreatedKeyChanges() {
		String first = podAnnotations(this.helm.template("--set=apiKey.value=first-key")).get("checksum/secret");
		String second = podAnnotations(this.helm.template("--set=apiKey.value=second-key")).get("checksum/secret");
		assertThat(first).isNotBlank().isNotEqualTo(second);
	}

	@Test
	void refusesToRenderWithoutExactlyOneApiKeySource() {
		assertThat(refusal()).contains("API key is required").contains("apiKey.existingSecret");
		assertThat(refusal(EXISTING_SECRET, "--set=apiKey.value=x")).contains("not both");
	}

	@Test
	void rejectsValuesTheSchemaDoesNotKnow() {
		assertThat(refusal(EXISTING_SECRET, "--set=config.cache.tll=45s")).contains("tll");
		refusal(EXISTING_SECRET, "--set=config.logFormat=json");
	}

	@Test
	void probesTheActuatorHealthGroupsOnTheManagementPort() {
		RenderedChart chart = this.helm.template(EXISTING_SECRET);
		Map<String, Object> container = chart.container();
		assertThat(list(container, "ports")).contains(Map.of("name", "http", "containerPort", 8080, "protocol", "TCP"),
				Map.of("name", "management", "containerPort", 8081, "protocol", "TCP"));
		assertThat(map(container, "livenessProbe", "httpGet"))
			.containsExactlyInAnyOrderEntriesOf(Map.of("path", "/actuator/health/liveness", "port", "management"));
		assertThat(map(container, "readinessProbe", "httpGet"))
			.containsExactlyInAnyOrderEntriesOf(Map.of("path", "/actuator/health/readiness", "port", "management"));
		assertThat(map(container, "startupProbe", "httpGet")).containsEntry("port", "management");
		List<Map<String, Object>> servicePorts = list(map(chart.one("Service"), "spec"), "ports");
		assertThat(servicePorts).extracting((port) -> port.get("name") + ":" + port.get("port"))
			.containsExactly("http:8080", "management:8081");
	}

	@Test
	void shutsDownWithinAGracePeriodLongerThanTheApplications() {
		RenderedChart chart = this.helm.template(EXISTING_SECRET);
		assertThat((Integer) chart.podSpec().get("terminationGracePeriodSeconds")).isGreaterThan(30);
		assertThat(chart.container()).doesNotContainKey("lifecycle");
		RenderedChart withSleep = this.helm.template(EXISTING_SECRET, "--set=preStopSleepSeconds=5");
		assertThat(map(withSleep.container(), "lifecycle", "preStop", "sleep")).containsEntry("seconds", 5);
	}

	@Test
	void usesTheAppVersionAsDefaultImageTag() {
		assertThat(this.helm.template(EXISTING_SECRET).container()).containsEntry("image", "chat-proxy:0.1.0")
			.containsEntry("imagePullPolicy", "IfNotPresent");
		assertThat(helm
			.template(EXISTING_SECRET, "--set=image.repository=registry.example.com/chat-proxy",
					"--set=image.tag=1.2.3")
			.container()).containsEntry("image", "registry.example.com/chat-proxy:1.2.3");
	}

	@Test
	void passesDefaultSettingsToTheEnvironment() {
		Map<String, String> env = this.helm.template(EXISTING_SECRET).env();
		assertThat(env).containsEntry("LOGGING_STRUCTURED_FORMAT_CONSOLE", "ecs")
			.containsEntry("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError")
			.containsEntry("SERVER_PORT", "8080")
			.containsEntry("MANAGEMENT_SERVER_PORT", "8081");
		assertThat(env).as("unset settings keep the application's defaults, written once in application.yml")
			.doesNotContainKeys("POSTPRESS_BASE_URL", "PROXY_CACHE_TTL", "PROXY_CACHE_MAX_ENTRIES",
					"PROXY_CACHE_MAX_SIZE", "RESILIENCE4J_RETRY_INSTANCES_POSTPRESS_MAXATTEMPTS",
					"PROXY_CORS_ALLOWED_ORIGINS");
	}

	@Test
	void passesConfiguredValuesToTheEnvironment() {
		Map<String, String> env = helm
			.template(EXISTING_SECRET, "--set=config.cache.ttl=45s", "--set=config.cache.staleTtl=0",
					"--set=config.cache.maxEntries=2000000", "--set=config.cache.maxSize=200MB",
					"--set=config.postpress.baseUrl=http://postpress.test/v1",
					"--set=config.postpress.connectTimeout=1s", "--set=config.postpress.responseTimeout=3s",
					"--set=config.postpress.deadline=9s", "--set=config.resilience.retryMaxAttempts=4",
					"--set=config.resilience.circuitBreakerFailureRateThreshold=60",
					"--set=config.resilience.circuitBreakerWaitDurationInOpenState=20s",
					"--set=config.resilience.bulkheadMaxConcurrentCalls=32",
					"--set=config.corsAllowedOrigins={https://a.example,https://b.example}",
					"--set=config.logFormat=logstash", "--set=config.javaToolOptions=-XX:MaxRAMPercentage=60",
					"--set=extraEnv[0].name=LOGGING_LEVEL_ROOT", "--set=extraEnv[0].value=WARN")
			.env();
		assertThat(env).containsEntry("PROXY_CACHE_TTL", "45s")
			.containsEntry("PROXY_CACHE_STALE_TTL", "0")
			.containsEntry("PROXY_CACHE_MAX_ENTRIES", "2000000")
			.containsEntry("PROXY_CACHE_MAX_SIZE", "200MB")
			.containsEntry("POSTPRESS_BASE_URL", "http://postpress.test/v1")
			.containsEntry("POSTPRESS_CONNECT_TIMEOUT", "1s")
			.containsEntry("POSTPRESS_RESPONSE_TIMEOUT", "3s")
			.containsEntry("POSTPRESS_DEADLINE", "9s")
			.containsEntry("RESILIENCE4J_RETRY_INSTANCES_POSTPRESS_MAXATTEMPTS", "4")
			.containsEntry("RESILIENCE4J_CIRCUITBREAKER_INSTANCES_POSTPRESS_FAILURERATETHRESHOLD", "60")
			.containsEntry("RESILIENCE4J_CIRCUITBREAKER_INSTANCES_POSTPRESS_WAITDURATIONINOPENSTATE", "20s")
			.containsEntry("RESILIENCE4J_BULKHEAD_INSTANCES_POSTPRESS_MAXCONCURRENTCALLS", "32")
			.containsEntry("PROXY_CORS_ALLOWED_ORIGINS", "https://a.example,https://b.example")
			.containsEntry("LOGGING_STRUCTURED_FORMAT_CONSOLE", "logstash")
			.containsEntry("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=60")
			.containsEntry("LOGGING_LEVEL_ROOT", "WARN");
	}

	@Test
	void passesTracingValuesToSpringBootsStandardKeys() {
		assertThat(this.helm.template(EXISTING_SECRET).env()).as("no endpoint, no export: propagation only")
			.doesNotContainKeys("MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT",
					"MANAGEMENT_TRACING_SAMPLING_PROBABILITY", "PROXY_TRACING_INCLUDE_IDS");
		Map<String, String> env = this.helm
			.template(EXISTING_SECRET, "--set=config.tracing.otlpEndpoint=http://collector:4318/v1/traces",
					"--set=config.tracing.samplingProbability=0.25", "--set=config.tracing.includeIds=true")
			.env();
		assertThat(env)
			.containsEntry("MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT", "http://collector:4318/v1/traces")
			.containsEntry("MANAGEMENT_TRACING_SAMPLING_PROBABILITY", "0.25")
			.containsEntry("PROXY_TRACING_INCLUDE_IDS", "true");
	}

	@Test
	void samplesAccessLogHitsOnlyWhenAsked() {
		assertThat(this.helm.template(EXISTING_SECRET).env()).doesNotContainKey("PROXY_ACCESS_LOG_HIT_SAMPLING");
		assertThat(this.helm.template(EXISTING_SECRET, "--set=config.accessLogHitSampling=100").env())
			.containsEntry("PROXY_ACCESS_LOG_HIT_SAMPLING", "100");
		assertThat(refusal(EXISTING_SECRET, "--set=config.accessLogHitSampling=0")).contains("accessLogHitSampling");
	}

	@Test
	void leavesFleetModeAndTheBudgetOffByDefault() {
		RenderedChart chart = helm.template(EXISTING_SECRET);
		assertThat(chart.env()).doesNotContainKeys("PROXY_CACHE_SHARED", "POSTPRESS_RATE_LIMIT_REQUESTS_PER_SECOND",
				"POSTPRESS_RATE_LIMIT_BURST");
		assertThat(chart.text()).doesNotContain("SPRING_DATA_REDIS_URL");
	}

	@Test
	void readsTheRedisUrlFromAnExistingSecretInFleetMode() {
		RenderedChart chart = helm.template(EXISTING_SECRET, "--set=cache.shared=redis",
				"--set=redis.existingSecret=chat-proxy-redis", "--set=redis.existingSecretKey=url");
		assertThat(chart.env()).containsEntry("PROXY_CACHE_SHARED", "redis").doesNotContainKey("SPRING_DATA_REDIS_URL");
		assertThat(map(chart.envValueFrom("SPRING_DATA_REDIS_URL"), "secretKeyRef"))
			.containsExactlyInAnyOrderEntriesOf(Map.of("name", "chat-proxy-redis", "key", "url"));
	}

	@Test
	void pointsTheFleetAtSentinelsWithAnAclUserOverTls() {
		RenderedChart chart = helm.template(EXISTING_SECRET, "--set=cache.shared=redis", "--set=redis.mode=sentinel",
				"--set=redis.sentinel.master=primary", "--set=redis.sentinel.nodes={sentinel-0:26379,sentinel-1:26379}",
				"--set=redis.username=chat-proxy", "--set=redis.ssl=true",
				"--set=redis.existingSecret=chat-proxy-redis");
		assertThat(chart.env()).containsEntry("SPRING_DATA_REDIS_SENTINEL_MASTER", "primary")
			.containsEntry("SPRING_DATA_REDIS_SENTINEL_NODES", "sentinel-0:26379,sentinel-1:26379")
			.containsEntry("SPRING_DATA_REDIS_USERNAME", "chat-proxy")
			.containsEntry("SPRING_DATA_REDIS_SSL_ENABLED", "true")
			.doesNotContainKeys("SPRING_DATA_REDIS_PASSWORD", "SPRING_DATA_REDIS_CLUSTER_NODES");
		assertThat(chart.text()).doesNotContain("SPRING_DATA_REDIS_URL");
		assertThat(map(chart.envValueFrom("SPRING_DATA_REDIS_PASSWORD"), "secretKeyRef"))
			.containsExactlyInAnyOrderEntriesOf(Map.of("name", "chat-proxy-redis", "key", "redis-password"));
	}

	@Test
	void pointsTheFleetAtARedisCluster() {
		RenderedChart chart = helm.template(EXISTING_SECRET, "--set=cache.shared=redis", "--set=redis.mode=cluster",
				"--set=redis.cluster.nodes={redis-0:6379,redis-1:6379,redis-2:6379}");
		assertThat(chart.env())
			.containsEntry("SPRING_DATA_REDIS_CLUSTER_NODES", "redis-0:6379,redis-1:6379,redis-2:6379")
			.doesNotContainKeys("SPRING_DATA_REDIS_SENTINEL_NODES", "SPRING_DATA_REDIS_PASSWORD");
		assertThat(refusal(EXISTING_SECRET, "--set=cache.shared=redis", "--set=redis.mode=cluster"))
			.contains("redis.cluster.nodes");
	}

	@Test
	void refusesFleetModeWithoutARedisSecret() {
		assertThat(refusal(EXISTING_SECRET, "--set=cache.shared=redis")).contains("redis.existingSecret");
		refusal(EXISTING_SECRET, "--set=cache.shared=memcached");
	}

	@Test
	void passesTheBudgetToTheEnvironment() {
		Map<String, String> env = helm
			.template(EXISTING_SECRET, "--set=budget.requestsPerSecond=0.5", "--set=budget.burst=3")
			.env();
		assertThat(env).containsEntry("POSTPRESS_RATE_LIMIT_REQUESTS_PER_SECOND", "0.5")
			.containsEntry("POSTPRESS_RATE_LIMIT_BURST", "3");
		assertThat(helm.template(EXISTING_SECRET, "--set=budget.requestsPerSecond=20").env())
			.containsEntry("POSTPRESS_RATE_LIMIT_REQUESTS_PER_SECOND", "20");
		refusal(EXISTING_SECRET, "--set=budget.requestsPerSecond=0");
	}

	@Test
	void opensEgressToRedisOnlyInFleetMode() {
		String[] egress = { EXISTING_SECRET, "--set=networkPolicy.enabled=true",
				"--set=networkPolicy.egress.enabled=true" };
		List<Map<String, Object>> alone = list(map(helm.template(egress).one("NetworkPolicy"), "spec"), "egress");
		assertThat(alone).hasSize(2);
		List<Map<String, Object>> fleet = list(map(helm
			.template(egress[0], egress[1], egress[2], "--set=cache.shared=redis",
					"--set=redis.existingSecret=chat-proxy-redis", "--set=redis.port=6380",
					"--set=redis.to[0].podSelector.matchLabels.app=redis")
			.one("NetworkPolicy"), "spec"), "egress");
		assertThat(fleet).hasSize(3);
		Map<String, Object> redis = fleet.get(2);
		assertThat(RenderedChart.<Map<String, Object>>list(redis, "ports"))
			.containsExactly(Map.of("port", 6380, "protocol", "TCP"));
		assertThat(RenderedChart.<Map<String, Object>>list(redis, "to"))
			.containsExactly(Map.of("podSelector", Map.of("matchLabels", Map.of("app", "redis"))));
	}

	@Test
	void annotatesPodsForPrometheusScraping() {
		assertThat(podAnnotations(this.helm.template(EXISTING_SECRET))).containsEntry("prometheus.io/scrape", "true")
			.containsEntry("prometheus.io/port", "8081")
			.containsEntry("prometheus.io/path", "/actuator/prometheus");
		assertThat(podAnnotations(this.helm.template(EXISTING_SECRET, "--set=metrics.scrapeAnnotations=false")))
			.doesNotContainKey("prometheus.io/scrape");
	}

	@Test
	void leavesOptionalResourcesOutByDefault() {
		assertThat(this.helm.template(EXISTING_SECRET).kinds()).containsExactlyInAnyOrder("ServiceAccount", "Service",
				"Deployment", "Pod");
	}

	@Test
	void rendersEveryOptionalResourceWhenEnabled() {
		RenderedChart chart = this.helm.template(ALL_FEATURES);
		assertThat(chart.kinds()).contains("HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy",
				"ServiceMonitor", "PrometheusRule", "ConfigMap", "Secret");
		assertThat(map(chart.one("Deployment"), "spec")).as("the HPA owns the replica count")
			.doesNotContainKey("replicas");
		assertThat(map(chart.one("HorizontalPodAutoscaler"), "spec", "scaleTargetRef")).containsEntry("kind",
				"Deployment");
		Map<String, Object> endpoint = RenderedChart
			.<Map<String, Object>>list(map(chart.one("ServiceMonitor"), "spec"), "endpoints")
			.get(0);
		assertThat(endpoint).containsEntry("port", "management").containsEntry("path", "/actuator/prometheus");
		List<Map<String, Object>> ingress = list(map(chart.one("NetworkPolicy"), "spec"), "ingress");
		assertThat(ingress).extracting((rule) -> ((List<Map<String, Object>>) rule.get("ports")).get(0).get("port"))
			.containsExactly("http", "management");
	}

	@Test
	void embedsTheAlertGroupsOfFilesAlertsInThePrometheusRule() throws IOException {
		Map<String, Object> alerts = RenderedChart.yaml()
			.load(Files.readString(Helm.CHART.resolve("files/alerts.yaml")));
		RenderedChart chart = this.helm.template(EXISTING_SECRET, "--set=metrics.prometheusRule.enabled=true");
		List<Object> groups = list(map(chart.one("PrometheusRule"), "spec"), "groups");
		assertThat(groups).isNotEmpty().isEqualTo(alerts.get("groups"));
	}

	@Test
	void shipsTheGrafanaDashboardInALabelledConfigMap() throws IOException {
		String dashboard = Files.readString(Helm.CHART.resolve("files/dashboard.json"));
		RenderedChart chart = this.helm.template(EXISTING_SECRET, "--set=dashboard.enabled=true");
		Map<String, Object> configMap = chart.one("ConfigMap");
		assertThat(map(configMap, "metadata", "labels")).containsEntry("grafana_dashboard", "1");
		assertThat(map(configMap, "data")).containsEntry("chat-proxy.json", dashboard.strip());
	}

	@Test
	void smokeTestsReadinessOnTheManagementPortWithAConfigurableImage() {
		RenderedChart chart = this.helm.template(EXISTING_SECRET,
				"--set=tests.image.repository=mirror.example.com/busybox");
		Map<String, Object> pod = chart.one("Pod");
		assertThat(map(pod, "metadata", "annotations")).containsEntry("helm.sh/hook", "test");
		Map<String, Object> container = RenderedChart.<Map<String, Object>>list(map(pod, "spec"), "containers").get(0);
		assertThat((String) container.get("image")).startsWith("mirror.example.com/busybox:");
		assertThat(list(container, "command")).contains("http://chat-proxy:8081/actuator/health/readiness");
		Map<String, Object> selector = map(chart.one("Service"), "spec", "selector");
		Map<String, Object> labels = map(pod, "metadata", "labels");
		assertThat(selector.entrySet()).as("the Service must never route to the test pod")
			.anySatisfy((entry) -> assertThat(labels.get(entry.getKey())).isNotEqualTo(entry.getValue()));
	}

	@SuppressWarnings("unchecked")
	private static Map<String, String> podAnnotations(RenderedChart chart) {
		Object annotations = map(chart.one("Deployment"), "spec", "template", "metadata").get("annotations");
		return (annotations != null) ? (Map<String, String>) annotations : Map.of();
	}

	private static String notesOf(String installOutput) {
		int notes = installOutput.indexOf("NOTES:");
		assertThat(notes).as("NOTES in helm install output").isNotNegative();
		return installOutput.substring(notes);
	}

	/**
	 * Renders with these arguments, which the chart must refuse.
	 * @return what helm said on its standard error
	 */
	private String refusal(String... args) {
		Helm.Result refused = this.helm.tryTemplate(args);
		assertThat(refused.exitCode()).as("helm template %s", String.join(" ", args)).isNotZero();
		return refused.stderr();
	}

}
