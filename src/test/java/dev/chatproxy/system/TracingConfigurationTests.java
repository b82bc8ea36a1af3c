package dev.chatproxy.system;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.tracing.exporter.SpanFilter;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsProperties;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration;
import org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The batch span processor that replaces Spring Boot's: the only one in the context,
 * handing a lone exporter the spans as the SDK recorded them, and still going through
 * Micrometer's span filters when an application has any; and the inbound requests'
 * handler that replaces Boot's, still tagging a span that records.
 */
class TracingConfigurationTests {

	private final ApplicationContextRunner contexts = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(OpenTelemetrySdkAutoConfiguration.class,
				OpenTelemetryTracingAutoConfiguration.class, ObservationAutoConfiguration.class,
				MicrometerTracingAutoConfiguration.class))
		.withUserConfiguration(TracingConfiguration.class)
		.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
		.withBean(MetricsProperties.class, MetricsProperties::new)
		.withBean(InMemorySpanExporter.class, InMemorySpanExporter::create)
		.withPropertyValues("management.tracing.sampling.probability=1.0");

	@Test
	void aLoneExporterGetsTheSpansAsTheSdkRecordedThem() {
		this.contexts.run((context) -> {
			assertThat(context).getBeans(BatchSpanProcessor.class).hasSize(1);

			SpanData span = recordOneSpan(context);

			assertThat(span.getName()).isEqualTo("cache lookup");
			assertThat(span.getClass().getName()).startsWith("io.opentelemetry.sdk.");
		});
	}

	@Test
	void spanFiltersStillSeeEverySpan() {
		this.contexts.withBean(SpanFilter.class, () -> (finished) -> finished.setName("renamed by the application"))
			.run((context) -> {
				assertThat(context).getBeans(BatchSpanProcessor.class).hasSize(1);

				SpanData span = recordOneSpan(context);

				assertThat(span.getName()).isEqualTo("renamed by the application");
			});
	}

	@Test
	void theInboundHandlerIsTheOnlyOneAndTagsARecordedSpan() {
		this.contexts.run((context) -> {
			assertThat(context).getBeans(PropagatingReceiverTracingObservationHandler.class).hasSize(1);
			ObservationRegistry registry = ObservationRegistry.create();
			registry.observationConfig()
				.observationHandler(context.getBean(PropagatingReceiverTracingObservationHandler.class));
			ReceiverContext<Map<String, String>> inbound = new ReceiverContext<>((carrier, key) -> carrier.get(key));
			inbound.setCarrier(Map.of());

			Observation.createNotStarted("inbound", () -> inbound, registry)
				.lowCardinalityKeyValue("status", "200")
				.highCardinalityKeyValue("http.response.header.cache-status", "chat-proxy; hit")
				.start()
				.stop();

			context.getBean(SdkTracerProvider.class).forceFlush().join(10, TimeUnit.SECONDS);
			SpanData span = assertThat(context.getBean(InMemorySpanExporter.class).getFinishedSpanItems())
				.singleElement()
				.actual();
			assertThat(span.getAttributes().get(AttributeKey.stringKey("status"))).isEqualTo("200");
			assertThat(span.getAttributes().get(AttributeKey.stringKey("http.response.header.cache-status")))
				.isEqualTo("chat-proxy; hit");
		});
	}

	@Test
	void withTracingLeftOutTheApplicationStartsAndTheInboundHandlerIsInert() {
		new ApplicationContextRunner().withUserConfiguration(TracingConfiguration.class)
			.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withBean(MetricsProperties.class, MetricsProperties::new)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ReceiverContext<Map<String, String>> inbound = new ReceiverContext<>(
						(carrier, key) -> carrier.get(key));
				assertThat(context.getBean(PropagatingReceiverTracingObservationHandler.class).supportsContext(inbound))
					.isFalse();
			});
	}

	private static SpanData recordOneSpan(AssertableApplicationContext context) {
		context.getBean(OpenTelemetry.class).getTracer("tests").spanBuilder("cache lookup").startSpan().end();
		context.getBean(SdkTracerProvider.class).forceFlush().join(10, TimeUnit.SECONDS);
		return assertThat(context.getBean(InMemorySpanExporter.class).getFinishedSpanItems()).singleElement().actual();
	}

}
