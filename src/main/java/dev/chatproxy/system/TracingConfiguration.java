package dev.chatproxy.system;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.observation.MeterObservationHandler;
import io.micrometer.observation.Observation;
import io.micrometer.tracing.Tracer;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsProperties;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.SdkTracerProviderBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Traces recorded only where they can go: with no span exporter (no OTLP endpoint, as
 * shipped) no trace is started here as sampled, whatever
 * {@code management.tracing.sampling.probability} says, so that a request's spans are not
 * recorded and its trace context only propagates; a caller's sampled trace is still
 * continued as sampled. With an exporter, Spring Boot's sampler applies unchanged. And
 * timers take an exemplar in the span's scope only when the span is sampled
 * ({@link SampledExemplarsMeterObservationHandler}).
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
