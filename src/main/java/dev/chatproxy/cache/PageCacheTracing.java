package dev.chatproxy.cache;

import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Link;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.TracingObservationHandler;
import org.jspecify.annotations.Nullable;

/**
 * The cache's observations, hence spans: one per lookup (how it was answered and which
 * tier answered), one per fetch of a page (the single flight, parent of the upstream
 * attempts), and for a request collapsed onto another's fetch a span that links to that
 * fetch's span. No key, id or page content is recorded.
 */
final class PageCacheTracing {

	/** Observation of a lookup: {@value #RESULT} and {@value #TIER}. */
	static final String LOOKUP = "chatproxy.cache.lookup";

	/** The lookup's span name. */
	static final String LOOKUP_NAME = "cache lookup";

	/** Observation of one fetch of a page, however many requests wait on it. */
	static final String FETCH = "chatproxy.cache.fetch";

	/** Span of a request waiting on another's fetch, linked to that fetch's span. */
	static final String COLLAPSED = "cache collapsed";

	/**
	 * How the lookup was answered: hit, miss, refresh, stale-if-error,
	 * stale-while-revalidate, collapsed, error.
	 */
	static final String RESULT = "cache.result";

	/** Which tier answered: local, redis, or upstream (postpress). */
	static final String TIER = "cache.tier";

	static final String LOCAL = "local";

	static final String REDIS = "redis";

	static final String UPSTREAM = "upstream";

	static final PageCacheTracing NOOP = new PageCacheTracing(ObservationRegistry.NOOP, Tracer.NOOP);

	private final ObservationRegistry registry;

	private final Tracer tracer;

	PageCacheTracing(ObservationRegistry registry, Tracer tracer) {
		this.registry = registry;
		this.tracer = tracer;
	}

	/**
	 * Records a fresh page answered from this replica's memory, the path most requests
	 * take: its span only when the request's trace records (is sampled), and no
	 * observation, hence no timer (hits are counted by {@code cache_gets_total}), so that
	 * an unsampled hit costs a thread-local read.
	 */
	void localHit() {
		Span current = this.tracer.currentSpan();
		if (current == null || current.isNoop()) {
			return;
		}
		this.tracer.nextSpan().name(LOOKUP_NAME).tag(RESULT, result(CacheStatus.HIT)).tag(TIER, LOCAL).start().end();
	}

	/** Starts a lookup's observation, child of the current one (the request's). */
	Observation lookup() {
		return Observation.createNotStarted(LOOKUP, this.registry).contextualName(LOOKUP_NAME).start();
	}

	/** Ends a lookup's observation with how it was answered. */
	void answered(Observation lookup, Served served, String tier) {
		lookup.lowCardinalityKeyValue(KeyValue.of(RESULT, result(served.status())))
			.lowCardinalityKeyValue(KeyValue.of(TIER, tier))
			.stop();
	}

	/** Ends a lookup's observation that the caller must fetch after all. */
	void missed(Observation lookup) {
		lookup.lowCardinalityKeyValue(KeyValue.of(RESULT, "miss"))
			.lowCardinalityKeyValue(KeyValue.of(TIER, "none"))
			.stop();
	}

	/** Ends a lookup's observation that ended in a failure. */
	void failed(Observation lookup, Throwable error) {
		lookup.lowCardinalityKeyValue(KeyValue.of(RESULT, "error"))
			.lowCardinalityKeyValue(KeyValue.of(TIER, "none"))
			.error(error)
			.stop();
	}

	/** Starts a fetch's observation, child of the lookup that started it. */
	Observation fetch(Observation lookup, boolean background) {
		// the tracing handler prefers the current span to the parent observation's: the
		// lookup's scope (opened only here, on the way to postpress) makes them one
		try (Observation.Scope scope = lookup.openScope()) {
			return Observation.createNotStarted(FETCH, this.registry)
				.parentObservation(lookup)
				.contextualName("cache fetch")
				.lowCardinalityKeyValue("cache.background", Boolean.toString(background))
				.start();
		}
	}

	/**
	 * Starts the observation of a fetch that no lookup started (a background refresh),
	 * child of the current one.
	 */
	Observation fetch(boolean background) {
		return Observation.createNotStarted(FETCH, this.registry)
			.contextualName("cache fetch")
			.lowCardinalityKeyValue("cache.background", Boolean.toString(background))
			.start();
	}

	/**
	 * Ends a fetch's observation.
	 * @param fetch the observation
	 * @param tier where the page came from, or {@code null} when it failed
	 * @param error the failure, if any
	 */
	void fetched(Observation fetch, @Nullable String tier, @Nullable Throwable error) {
		fetch.lowCardinalityKeyValue(KeyValue.of(TIER, (tier != null) ? tier : "none"));
		if (error != null) {
			fetch.error(error);
		}
		fetch.stop();
	}

	/**
	 * Starts the span of a request that waits on another request's fetch: a child of its
	 * lookup, linked to the fetch's span.
	 * @param lookup the waiting request's lookup
	 * @param fetch the fetch it waits on
	 * @return the span, to end once the answer is there
	 */
	Span collapsed(Observation lookup, Observation fetch) {
		Span parent = span(lookup);
		Span leader = span(fetch);
		if (parent == null || leader == null) {
			return this.tracer.nextSpan().name(COLLAPSED);
		}
		return this.tracer.spanBuilder().setParent(parent.context()).addLink(new Link(leader)).name(COLLAPSED).start();
	}

	private static @Nullable Span span(Observation observation) {
		TracingObservationHandler.TracingContext tracing = observation.getContext()
			.get(TracingObservationHandler.TracingContext.class);
		return (tracing != null) ? tracing.getSpan() : null;
	}

	static String result(CacheStatus status) {
		return switch (status) {
			case HIT -> "hit";
			case REVALIDATING -> "stale-while-revalidate";
			case STORED -> "miss";
			case REFRESHED -> "refresh";
			case COLLAPSED -> "collapsed";
			case STALE -> "stale-if-error";
		};
	}

}
