package dev.chatproxy.fleet;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.chatproxy.ChatProxyApplication;
import dev.chatproxy.cache.PagesInvalidated;
import dev.chatproxy.support.FleetRedis;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.ProxyClient;
import dev.chatproxy.support.RedisServer;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.PayloadApplicationEvent;

import static org.awaitility.Awaitility.await;

/**
 * One chat-proxy replica of a test fleet: a whole application context on random loopback
 * ports, in fleet mode against the test's Redis and in front of the test's WireMock.
 */
final class Replica implements AutoCloseable {

	private final ConfigurableApplicationContext context;

	private final ProxyClient api;

	private final int port;

	private final ProxyClient management;

	private Replica(ConfigurableApplicationContext context) {
		this.context = context;
		this.port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
		this.api = new ProxyClient(this.port);
		this.management = new ProxyClient(
				Integer.parseInt(context.getEnvironment().getProperty("local.management.port")));
	}

	/**
	 * Starts a replica.
	 * @param redis the fleet's Redis
	 * @param postpress the fake postpress
	 * @param properties more properties, {@code name=value}
	 * @return the running replica
	 */
	static Replica start(RedisServer redis, WireMockServer postpress, String... properties) {
		return start(List.of("spring.data.redis.url=" + redis.url()), postpress, null, properties);
	}

	/**
	 * Starts a replica on one of the Redis set-ups of the topology tests.
	 * @param redis the fleet's Redis
	 * @param postpress the fake postpress
	 * @param properties more properties, {@code name=value}
	 * @return the running replica
	 */
	static Replica start(FleetRedis redis, WireMockServer postpress, String... properties) {
		return start(redis.springProperties(), postpress, null, properties);
	}

	/**
	 * Starts a replica on one of the Redis set-ups of the topology tests, with a wall
	 * clock of its own.
	 * @param redis the fleet's Redis
	 * @param postpress the fake postpress
	 * @param clock the replica's {@link Clock} bean
	 * @param properties more properties, {@code name=value}
	 * @return the running replica
	 */
	static Replica start(FleetRedis redis, WireMockServer postpress, Clock clock, String... properties) {
		return start(redis.springProperties(), postpress, clock, properties);
	}

	/**
	 * Starts a replica whose wall clock is its own.
	 * @param redis the fleet's Redis
	 * @param postpress the fake postpress
	 * @param clock the replica's {@link Clock} bean
	 * @param properties more properties, {@code name=value}
	 * @return the running replica
	 */
	static Replica start(RedisServer redis, WireMockServer postpress, Clock clock, String... properties) {
		return start(List.of("spring.data.redis.url=" + redis.url()), postpress, clock, properties);
	}

	private static Replica start(List<String> redis, WireMockServer postpress, @Nullable Clock clock,
			String... properties) {
		List<String> all = new ArrayList<>(List.of("server.port=0", "server.address=127.0.0.1",
				"management.server.port=0", "management.server.address=127.0.0.1",
				"postpress.base-url=" + postpress.baseUrl() + Postpress.BASE_PATH,
				"postpress.api-key=" + Postpress.API_KEY, "postpress.response-timeout=2s", "postpress.deadline=6s",
				"resilience4j.retry.configs.default.wait-duration=10ms",
				"resilience4j.retry.configs.default.exponential-max-wait-duration=20ms",
				"resilience4j.circuitbreaker.instances.redis.wait-duration-in-open-state=300ms",
				"proxy.cache.shared=redis"));
		all.addAll(redis);
		all.addAll(List.of(properties));
		SpringApplicationBuilder application = new SpringApplicationBuilder(ChatProxyApplication.class);
		if (clock != null) {
			application.initializers((context) -> context.getBeanFactory().registerSingleton("replicaClock", clock));
		}
		// a property given twice: the later one wins (Spring would join the two values)
		Map<String, String> byName = new LinkedHashMap<>();
		all.forEach((property) -> byName.put(property.substring(0, property.indexOf('=')), property));
		// as command-line arguments: default properties would lose to application.yml
		return new Replica(
				application.run(byName.values().stream().map((property) -> "--" + property).toArray(String[]::new)));
	}

	/**
	 * Starts replicas that share one Redis, and waits until each hears the fleet.
	 * @param count how many
	 * @param redis the fleet's Redis
	 * @param postpress the fake postpress
	 * @param properties more properties, {@code name=value}
	 * @return the running replicas
	 */
	static List<Replica> startSubscribed(int count, RedisServer redis, WireMockServer postpress, String... properties) {
		List<Replica> replicas = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			replicas.add(start(redis, postpress, properties));
		}
		replicas.forEach(Replica::awaitSubscribed);
		return replicas;
	}

	/**
	 * Sums a counter over replicas and its tags.
	 * @param replicas the replicas
	 * @param counter the counter's name
	 * @return the sum
	 */
	static double total(List<Replica> replicas, String counter) {
		return replicas.stream()
			.mapToDouble((replica) -> replica.bean(MeterRegistry.class)
				.find(counter)
				.counters()
				.stream()
				.mapToDouble(Counter::count)
				.sum())
			.sum();
	}

	/** Waits until the replica hears the fleet's announcements. */
	Replica awaitSubscribed() {
		await("replica subscribed to the fleet's channels").atMost(Duration.ofSeconds(20))
			.until(() -> bean(FleetSubscription.class).isSubscribed());
		return this;
	}

	/**
	 * Records the {@link PagesInvalidated} events this replica publishes from now on.
	 * @return the events, as they are published
	 */
	List<PagesInvalidated> recordPagesInvalidated() {
		List<PagesInvalidated> events = new CopyOnWriteArrayList<>();
		this.context.addApplicationListener((ApplicationEvent event) -> {
			if (event instanceof PayloadApplicationEvent<?> payload
					&& payload.getPayload() instanceof PagesInvalidated invalidated) {
				events.add(invalidated);
			}
		});
		return events;
	}

	<T> T bean(Class<T> type) {
		return this.context.getBean(type);
	}

	/** The application port. */
	int port() {
		return Integer.parseInt(this.context.getEnvironment().getProperty("local.server.port"));
	}

	HttpResponse<String> get(String pathAndQuery, String... headers) {
		return this.api.get(pathAndQuery, headers);
	}

	/** Posts a JSON body to the replica's application port. */
	HttpResponse<String> post(String path, String json, String... headers) {
		String[] all = new String[headers.length + 2];
		all[0] = "Content-Type";
		all[1] = "application/json";
		System.arraycopy(headers, 0, all, 2, headers.length);
		return this.api.post(path, HttpRequest.BodyPublishers.ofString(json), all);
	}

	ProxyClient management() {
		return this.management;
	}

	/** Closes the {@code redis} breaker, as after a healthy period. */
	void resetRedisBreaker() {
		bean(CircuitBreakerRegistry.class).circuitBreaker(RedisBreaker.NAME).reset();
	}

	@Override
	public void close() {
		this.context.close();
	}

}
