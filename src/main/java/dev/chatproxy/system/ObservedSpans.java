package dev.chatproxy.system;

import io.micrometer.observation.Observation;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.handler.TracingObservationHandler;
import org.jspecify.annotations.Nullable;

/** The span Micrometer's tracing handlers keep in an observation's context. */
final class ObservedSpans {

	private ObservedSpans() {
	}

	/**
	 * @param context an observation's context
	 * @return its span, {@code null} when tracing has not started one (or is off)
	 */
	static @Nullable Span of(Observation.Context context) {
		TracingObservationHandler.TracingContext tracing = context.get(TracingObservationHandler.TracingContext.class);
		return (tracing != null) ? tracing.getSpan() : null;
	}

}
