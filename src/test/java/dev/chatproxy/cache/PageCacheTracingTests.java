package dev.chatproxy.cache;

import dev.chatproxy.upstream.ChatList;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.stats.ConcurrentStatsCounter;
import dev.chatproxy.support.ManualTicker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for the spans {@link PageCache} makes, on the OpenTelemetry SDK through
 * Micrometer's bridge, without the application around it.
 */
class PageCacheTracingTests {

	private static final PageKey K = new PageKey("attendee_id=a", List.of("a"), List.of());

	private final InMemorySpanExporter spans = InMemorySpanExporter.create();

	private final SdkTracerProvider provider = SdkTracerProvider.builder()
		.addSpanProcessor(SimpleSpanProcessor.create(this.spans))
		.build();

	private final OtelTracer tracer = new OtelTracer(this.provider.get("test"), new OtelCurrentTraceContext(),
			(event) -> {
			});

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final ObservationRegistry observations = ObservationRegistry.create();

	@AfterEach
	void closeProvider() {
		this.provider.close();
	}

	@Test
	void aRequestThatJoinsAFetchBeforeItsSpanStartsStillLinksToIt() throws Exception {
		CompletableFuture<CompletableFuture<Served>> follower = new CompletableFuture<>();
		PageCache pages = pageCache();
		// the follower joins while the leader's fetch is published but its observation
		// is still starting: the window in which a follower once found no span to link to
		this.observations.observationConfig().observationHandler(new ObservationHandler<>() {
			@Override
			public void onStart(Observation.Context context) {
				if (PageCacheTracing.FETCH.equals(context.getName()) && !follower.isDone()) {
					follower.complete(
							CompletableFuture
								.supplyAsync(() -> pages.fetch(K, false,
										(failures) -> CompletableFuture.failedFuture(
												new IllegalStateException("a follower must not call postpress"))))
								.thenCompose((served) -> served));
					await().atMost(Duration.ofSeconds(30)).until(() -> collapsed() == 1);
				}
			}

			@Override
			public boolean supportsContext(Observation.Context context) {
				return true;
			}
		});
		CompletableFuture<ChatList> upstream = new CompletableFuture<>();

		CompletableFuture<Served> leader = pages.fetch(K, false, (failures) -> upstream);
		upstream.complete(new ChatList(new byte[] { '{', '}' }, Set.of(), Set.of()));

		assertThat(leader.get(30, TimeUnit.SECONDS).status()).isEqualTo(CacheStatus.STORED);
		assertThat(follower.get(30, TimeUnit.SECONDS).get(30, TimeUnit.SECONDS).status())
			.isEqualTo(CacheStatus.COLLAPSED);
		SpanData fetch = only("cache fetch");
		SpanData waiting = only(PageCacheTracing.COLLAPSED);
		assertThat(waiting.getLinks()).extracting(LinkData::getSpanContext)
			.singleElement()
			.satisfies((linked) -> assertThat(linked.getSpanId()).isEqualTo(fetch.getSpanId()));
		assertThat(waiting.getTraceId()).isNotEqualTo(fetch.getTraceId());
	}

	private PageCache pageCache() {
		this.observations.observationConfig().observationHandler(new DefaultTracingObservationHandler(this.tracer));
		PageCacheProperties properties = PageCacheProperties.local(Duration.ofSeconds(30), Duration.ofMinutes(10), 100,
				null, Duration.ZERO);
		return new PageCache(new ConcurrentHashMap<>(), new NoSharedTier(), new ConcurrentStatsCounter(),
				new ManualTicker(), properties, IllegalStateException.class::isInstance,
				new PageCacheMetrics(this.meters), new PageCacheTracing(this.observations, this.tracer));
	}

	private double collapsed() {
		return this.meters.get("chatproxy.cache.collapsed").counter().count();
	}

	private SpanData only(String name) {
		List<SpanData> named = this.spans.getFinishedSpanItems()
			.stream()
			.filter((span) -> span.getName().equals(name))
			.toList();
		assertThat(named).hasSize(1);
		return named.get(0);
	}

}
