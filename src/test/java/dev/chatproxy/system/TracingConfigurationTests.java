package dev.chatproxy.system;

import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.tracing.exporter.SpanFilter;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsProperties;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration;
import org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The batch span processor that replaces Spring Boot's: the only one in the context,
 * handing a lone exporter the spans as the SDK recorded them, and still going through
 * Micrometer's span filters when an application has any.
 */
class TracingConfigurationTests {

	private final ApplicationContextRunner contexts = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(OpenTelemetrySdkAutoConfiguration.class,
				OpenTelemetryTracingAutoConfiguration.class))
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

	private static SpanData recordOneSpan(AssertableApplicationContext context) {
		context.getBean(OpenTelemetry.class).getTracer("tests").spanBuilder("cache lookup").startSpan().end();
		context.getBean(SdkTracerProvider.class).forceFlush().join(10, TimeUnit.SECONDS);
		return assertThat(context.getBean(InMemorySpanExporter.class).getFinishedSpanItems()).singleElement().actual();
	}

}
