package dev.chatproxy.system;

import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.observation.MeterObservationHandler;
import io.micrometer.observation.Observation;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.exporter.SpanExportingPredicate;
import io.micrometer.tracing.exporter.SpanFilter;
import io.micrometer.tracing.exporter.SpanReporter;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.propagation.Propagator;
import io.micrometer.tracing.otel.bridge.CompositeSpanExporter;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessorBuilder;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsProperties;
import org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingProperties;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.SdkTracerProviderBuilderCustomizer;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.SpanExporters;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/**
 * Traces recorded only where they can go: with no span exporter (no OTLP endpoint, as
 * shipped) no trace is started here as sampled, whatever
 * {@code management.tracing.sampling.probability} says, so that a request's spans are not
 * recorded and its trace context only propagates; a caller's sampled trace is still
 * continued as sampled. With an exporter, Spring Boot's sampler applies unchanged. And
 * timers take an exemplar in the span's scope only when the span is sampled
 * ({@link SampledExemplarsMeterObservationHandler}). Spans go to the one exporter as the
 * SDK recorded them, without Micrometer's copy, when nothing else would look at them.
 */
@Configuration(proxyBeanMethods = false)
class TracingConfiguration {

	@Bean
	SdkTracerProviderBuilderCustomizer sampledOnlyWhenExported(ObjectProvider<SpanExporter> exporters) {
		return (builder) -> {
			if (exporters.stream().findAny().isEmpty()) {
				builder.setSampler(Sampler.parentBased(Sampler.alwaysOff()));
			}
		};
	}

	/**
	 * Spring Boot's batch span processor, with its settings
	 * ({@code management.opentelemetry.tracing.export.*}), less one copy of every span:
	 * Boot hands each batch to Micrometer's {@link CompositeSpanExporter}, which turns
	 * every span into a {@code FinishedSpan} and back (attributes into a map, sorted
	 * again on each of the marshaller's two passes) so that span filters, reporters and
	 * export predicates can see it. With none of those and a single exporter (the OTLP
	 * one), the batch goes straight to that exporter; otherwise through the composite, as
	 * Boot does (with no exporter at all when an application leaves tracing's
	 * auto-configuration out).
	 */
	@Bean
	BatchSpanProcessor otelSpanProcessor(ObjectProvider<SpanExporters> spanExporters,
			ObjectProvider<SpanExportingPredicate> predicates, ObjectProvider<SpanReporter> reporters,
			ObjectProvider<SpanFilter> filters, ObjectProvider<MeterProvider> meterProvider,
			ObjectProvider<OpenTelemetryTracingProperties> tracingProperties) {
		SpanExporters exporters = spanExporters.getIfAvailable(() -> SpanExporters.of(List.of()));
		OpenTelemetryTracingProperties properties = tracingProperties
			.getIfAvailable(OpenTelemetryTracingProperties::new);
		List<SpanExportingPredicate> exportingPredicates = predicates.orderedStream().toList();
		List<SpanReporter> spanReporters = reporters.orderedStream().toList();
		List<SpanFilter> spanFilters = filters.orderedStream().toList();
		boolean direct = exporters.list().size() == 1 && exportingPredicates.isEmpty() && spanReporters.isEmpty()
				&& spanFilters.isEmpty();
		SpanExporter exporter = direct ? exporters.list().get(0)
				: new CompositeSpanExporter(exporters.list(), exportingPredicates, spanReporters, spanFilters);
		OpenTelemetryTracingProperties.Export export = properties.getExport();
		BatchSpanProcessorBuilder builder = BatchSpanProcessor.builder(exporter)
			.setExportUnsampledSpans(export.isIncludeUnsampled())
			.setExporterTimeout(export.getTimeout())
			.setMaxExportBatchSize(export.getMaxBatchSize())
			.setMaxQueueSize(export.getMaxQueueSize())
			.setScheduleDelay(export.getScheduleDelay());
		meterProvider.ifAvailable(builder::setMeterProvider);
		return builder.build();
	}

	/**
	 * Spring Boot's handler for inbound requests' spans, that does not tag a span which
	 * records nothing: Micrometer merges every key value of the observation and sets each
	 * on the span when it stops, sampled or not, on every request. Inert (it supports no
	 * observation) where there is no tracer, as when an application leaves tracing's
	 * auto-configuration out.
	 */
	@Bean
	@Order(MicrometerTracingAutoConfiguration.RECEIVER_TRACING_OBSERVATION_HANDLER_ORDER)
	PropagatingReceiverTracingObservationHandler<ReceiverContext<?>> propagatingReceiverTracingObservationHandler(
			ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
		Tracer spans = tracer.getIfAvailable(() -> Tracer.NOOP);
		Propagator propagation = propagator.getIfAvailable(() -> Propagator.NOOP);
		boolean tracing = spans != Tracer.NOOP && propagation != Propagator.NOOP;
		return new PropagatingReceiverTracingObservationHandler<>(spans, propagation) {

			@Override
			public boolean supportsContext(Observation.Context context) {
				return tracing && super.supportsContext(context);
			}

			@Override
			public void tagSpan(ReceiverContext<?> context, Span span) {
				if (!span.isNoop()) {
					super.tagSpan(context, span);
				}
			}

		};
	}

	/**
	 * The timers of every observation, as Spring Boot's own handler records them (it
	 * steps back for this one), exemplars taken only from sampled spans.
	 */
	@Bean
	MeterObservationHandler<Observation.Context> sampledExemplarsMeterObservationHandler(MeterRegistry meters,
			MetricsProperties properties, ObjectProvider<Tracer> tracer) {
		DefaultMeterObservationHandler timers = new DefaultMeterObservationHandler(meters,
				properties.getObservations()
					.getIgnoredMeters()
					.toArray(DefaultMeterObservationHandler.IgnoredMeters[]::new));
		Tracer current = tracer.getIfAvailable();
		return (current != null) ? new SampledExemplarsMeterObservationHandler(timers, current) : timers;
	}

}
