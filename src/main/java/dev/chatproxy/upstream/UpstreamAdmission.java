package dev.chatproxy.upstream;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

import io.micrometer.common.KeyValue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;

/**
 * What each attempt passes before it may call postpress: the fleet's pause after a 429,
 * then the budget. Neither waits: an attempt that may not go fails at once, so that no
 * caller queues towards {@code postpress.deadline} and the cache can answer stale. Each
 * check is observed ({@value #ADMISSION}, span {@code upstream admission}) with its
 * {@value #RESULT}: {@code admitted}, {@code throttled} (the budget was spent),
 * {@code paused} (the 429 pause) or {@code error}; in fleet mode the budget's Redis call
 * is part of it.
 */
class UpstreamAdmission {

	/** Observation of one attempt's admission. */
	static final String ADMISSION = "chatproxy.upstream.admission";

	/** How an attempt's admission ended. */
	static final String RESULT = "chatproxy.upstream.admission";

	private final UpstreamBudget budget;

	private final @Nullable UpstreamPause pause;

	private final Clock clock;

	private final Counter throttled;

	private final Counter paused;

	private final ObservationRegistry observations;

	UpstreamAdmission(UpstreamBudget budget, @Nullable UpstreamPause pause, Clock clock, MeterRegistry meters) {
		this(budget, pause, clock, meters, ObservationRegistry.NOOP);
	}

	UpstreamAdmission(UpstreamBudget budget, @Nullable UpstreamPause pause, Clock clock, MeterRegistry meters,
			ObservationRegistry observations) {
		this.observations = observations;
		this.budget = budget;
		this.pause = pause;
		this.clock = clock;
		this.throttled = Counter.builder("chatproxy.upstream.throttled")
			.description("Calls to postpress not made because the budget of calls was spent")
			.register(meters);
		this.paused = Counter.builder("chatproxy.upstream.paused")
			.description("Calls to postpress not made because it asked the fleet to slow down (429)")
			.register(meters);
	}

	/**
	 * Lets one attempt through, or fails it with the answer to give instead.
	 * @return empty when the attempt may call postpress, else an
	 * {@link UpstreamPauseInForce} or {@link UpstreamUnavailable}
	 */
	Mono<Void> admit() {
		return Mono.deferContextual((context) -> {
			// a child of the fetch, whose observation the caller captured in the context
			Observation admission = Observation.createNotStarted(ADMISSION, this.observations)
				.contextualName("upstream admission")
				.parentObservation(context.getOrDefault(ObservationThreadLocalAccessor.KEY, null))
				.start();
			return check().doOnSuccess((admitted) -> stop(admission, "admitted"))
				.doOnError((ex) -> stop(admission, result(ex)))
				.doOnCancel(() -> stop(admission, "cancelled"));
		});
	}

	private static void stop(Observation admission, String result) {
		admission.lowCardinalityKeyValue(KeyValue.of(RESULT, result)).stop();
	}

	private static String result(Throwable error) {
		if (error instanceof UpstreamPauseInForce) {
			return "paused";
		}
		return (error instanceof UpstreamUnavailable) ? "throttled" : "error";
	}

	private Mono<Void> check() {
		return Mono.defer(() -> {
			UpstreamPause.Pause current = (this.pause != null) ? this.pause.current() : null;
			if (current != null) {
				Duration left = Duration.between(this.clock.instant(), current.until());
				if (left.compareTo(Duration.ZERO) > 0) {
					this.paused.increment();
					return Mono.error(new UpstreamPauseInForce(current.type(), current.title(), null, seconds(left)));
				}
			}
			return this.budget.tryAcquire().flatMap(this::spend);
		});
	}

	private Mono<Void> spend(Duration wait) {
		if (wait.isZero()) {
			return Mono.empty();
		}
		this.throttled.increment();
		return Mono.error(new UpstreamUnavailable("The budget of calls to postpress is spent for now. Retry shortly.",
				seconds(wait)));
	}

	/**
	 * In fleet mode, turns postpress' 429 with {@code Retry-After} into a pause of every
	 * replica, and this request's answer into the paused one (a stale page may serve it).
	 * @param rejection what postpress refused the attempt with
	 * @return the error to go on with
	 */
	UpstreamProblem onRejection(UpstreamRejection rejection) {
		Duration retryAfter = rejection.retryAfter();
		if (this.pause == null || rejection.getStatusCode().value() != HttpStatus.TOO_MANY_REQUESTS.value()
				|| retryAfter == null || retryAfter.isZero()) {
			return rejection;
		}
		String title = Objects.requireNonNullElse(rejection.getBody().getTitle(), "Too many requests");
		Instant until = this.clock.instant().plus(retryAfter);
		this.pause.pause(new UpstreamPause.Pause(until, rejection.type(), title));
		return new UpstreamPauseInForce(rejection.type(), title, rejection.getBody().getDetail(), seconds(retryAfter));
	}

	/** Whole seconds for {@code Retry-After}, rounded up and at least one. */
	private static Duration seconds(Duration wait) {
		long millis = wait.toMillis();
		return Duration.ofSeconds(Math.max(1, (millis + 999) / 1000));
	}

}
