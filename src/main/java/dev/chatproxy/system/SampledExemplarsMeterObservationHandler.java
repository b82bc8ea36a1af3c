package dev.chatproxy.system;

import io.micrometer.core.instrument.observation.MeterObservationHandler;
import io.micrometer.observation.Observation;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.TracingAwareMeterObservationHandler;

/**
 * Records an observation's timers in its span's scope (so that the latency histograms get
 * the span's trace id as an exemplar) only when that span is sampled: an exemplar is only
 * ever taken from a sampled span, and opening the scope of an unsampled one on every
 * request costs a context switch and two logging-context updates for nothing. Spring Boot
 * wraps every other meter handler in a {@link TracingAwareMeterObservationHandler} that
 * always opens it.
 */
final class SampledExemplarsMeterObservationHandler extends TracingAwareMeterObservationHandler<Observation.Context> {

	private final MeterObservationHandler<Observation.Context> meters;

	SampledExemplarsMeterObservationHandler(MeterObservationHandler<Observation.Context> meters, Tracer tracer) {
		super(meters, tracer);
		this.meters = meters;
	}

	@Override
	public void onStop(Observation.Context context) {
		Span span = ObservedSpans.of(context);
		if (span != null && Boolean.TRUE.equals(span.context().sampled())) {
			super.onStop(context);
		}
		else {
			this.meters.onStop(context);
		}
	}

}
