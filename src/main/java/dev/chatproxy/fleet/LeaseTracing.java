package dev.chatproxy.fleet;

import java.util.UUID;

import io.micrometer.tracing.Link;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import org.jspecify.annotations.Nullable;

/**
 * Traces across replicas through a page's lease: the holder's token carries the trace and
 * span ids of its fetch when that trace is sampled ({@code <uuid>;<trace id>-<span id>}),
 * and a replica that waits for the holder records a {@value #WAIT} span, child of its own
 * fetch, linked to the holder's fetch in the other replica's trace, with how the wait
 * ended ({@value #RESULT}: {@code filled}, {@code taken-over}, {@code alone} when Redis
 * failed, {@code timeout}). Ids only: nothing of the page or the caller.
 */
final class LeaseTracing {

	static final String WAIT = "fleet lease wait";

	static final String RESULT = "fleet.lease.result";

	static final LeaseTracing NOOP = new LeaseTracing(Tracer.NOOP);

	private static final char CONTEXT = ';';

	private final Tracer tracer;

	LeaseTracing(Tracer tracer) {
		this.tracer = tracer;
	}

	/**
	 * A new lease token, with the current span's ids when its trace is sampled.
	 * @return the token
	 */
	String token() {
		String token = UUID.randomUUID().toString();
		Span current = this.tracer.currentSpan();
		if (current == null) {
			return token;
		}
		TraceContext context = current.context();
		if (!Boolean.TRUE.equals(context.sampled())) {
			return token;
		}
		return token + CONTEXT + context.traceId() + "-" + context.spanId();
	}

	/**
	 * Starts the span of a wait for another replica's fetch, when this replica's trace is
	 * sampled.
	 * @param holder the holder's token
	 * @return the span, or {@code null} when nothing is recorded
	 */
	@Nullable Span waiting(String holder) {
		Span current = this.tracer.currentSpan();
		if (current == null || !Boolean.TRUE.equals(current.context().sampled())) {
			return null;
		}
		Span.Builder span = this.tracer.spanBuilder().setParent(current.context()).name(WAIT);
		TraceContext leader = leader(holder);
		if (leader != null) {
			span.addLink(new Link(leader));
		}
		return span.start();
	}

	/**
	 * Ends a wait's span.
	 * @param span the span, or {@code null} when nothing is recorded
	 * @param result how the wait ended
	 */
	static void waited(@Nullable Span span, String result) {
		if (span != null) {
			span.tag(RESULT, result).end();
		}
	}

	private @Nullable TraceContext leader(String holder) {
		int at = holder.indexOf(CONTEXT);
		int dash = holder.lastIndexOf('-');
		if (at < 0 || dash < at) {
			return null;
		}
		String traceId = holder.substring(at + 1, dash);
		String spanId = holder.substring(dash + 1);
		if (!hex(traceId, 32) || !hex(spanId, 16)) {
			return null;
		}
		return this.tracer.traceContextBuilder().traceId(traceId).spanId(spanId).sampled(true).build();
	}

	private static boolean hex(String id, int length) {
		if (id.length() != length) {
			return false;
		}
		for (int i = 0; i < length; i++) {
			char c = id.charAt(i);
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
				return false;
			}
		}
		return true;
	}

}
