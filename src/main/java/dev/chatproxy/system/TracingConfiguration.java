package dev.chatproxy.system;

import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.SdkTracerProviderBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Traces recorded only where they can go: with no span exporter (no OTLP endpoint, as
 * shipped) no trace is started here as sampled, whatever
 * {@code management.tracing.sampling.probability} says, so that a request's spans are not
 * recorded and its trace context only propagates; a caller's sampled trace is still
 * continued as sampled. With an exporter, Spring Boot's sampler applies unchanged.
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

}
