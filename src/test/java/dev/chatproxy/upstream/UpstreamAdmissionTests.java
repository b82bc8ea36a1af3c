package dev.chatproxy.upstream;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * What an attempt must pass before it calls postpress: the fleet's pause, then the
 * budget; and which of their answers a stale page may replace.
 */
class UpstreamAdmissionTests {

	private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

	private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final HeldPause pause = new HeldPause();

	@Test
	void letsAnAttemptThroughWhenATokenIsTaken() {
		UpstreamAdmission gate = new UpstreamAdmission(() -> Mono.just(Duration.ZERO), this.pause, this.clock,
				this.meters);

		gate.admit().block();

		assertThat(this.meters.get("chatproxy.upstream.throttled").counter().count()).isZero();
	}

	@Test
	void refusesWithServiceUnavailableAndTheWaitRoundedUpWhenTheBudgetIsSpent() {
		UpstreamAdmission gate = new UpstreamAdmission(() -> Mono.just(Duration.ofMillis(1200)), null, this.clock,
				this.meters);

		assertThatExceptionOfType(UpstreamUnavailable.class).isThrownBy(() -> gate.admit().block())
			.satisfies((refused) -> {
				assertThat(refused.type()).isEqualTo("errors/service_unavailable");
				assertThat(refused.retryAfter()).isEqualTo(Duration.ofSeconds(2));
				assertThat(refused.isServerSide()).as("a stale page may answer instead").isTrue();
			});
		assertThat(this.meters.get("chatproxy.upstream.throttled").counter().count()).isOne();
	}

	@Test
	void answersWithThePauseAndItsRemainingTimeWithoutDrawingOnTheBudget() {
		this.pause.held.set(new UpstreamPause.Pause(NOW.plusMillis(4500), "errors/too_many_requests", "Slow down"));
		AtomicReference<Boolean> drawn = new AtomicReference<>(false);
		UpstreamAdmission gate = new UpstreamAdmission(() -> {
			drawn.set(true);
			return Mono.just(Duration.ZERO);
		}, this.pause, this.clock, this.meters);

		assertThatExceptionOfType(UpstreamPauseInForce.class).isThrownBy(() -> gate.admit().block())
			.satisfies((paused) -> {
				assertThat(paused.getStatusCode()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
				assertThat(paused.type()).isEqualTo("errors/too_many_requests");
				assertThat(paused.getBody().getTitle()).isEqualTo("Slow down");
				assertThat(paused.retryAfter()).isEqualTo(Duration.ofSeconds(5));
				assertThat(paused.isServerSide()).as("a stale page may answer instead").isTrue();
			});
		assertThat(drawn).hasValue(false);
		assertThat(this.meters.get("chatproxy.upstream.paused").counter().count()).isOne();
	}

	@Test
	void aPauseThatEndedHoldsNothingBack() {
		this.pause.held.set(new UpstreamPause.Pause(NOW, "errors/too_many_requests", "Slow down"));
		UpstreamAdmission gate = new UpstreamAdmission(() -> Mono.just(Duration.ZERO), this.pause, this.clock,
				this.meters);

		gate.admit().block();
	}

	@Test
	void aSingleReplicaPassesA429OnAsItCame() {
		UpstreamAdmission gate = new UpstreamAdmission(UpstreamBudget.UNLIMITED, null, this.clock, this.meters);
		UpstreamRejection tooMany = tooManyRequests(Duration.ofSeconds(7));

		UpstreamProblem answer = gate.onRejection(tooMany);

		assertThat(answer).isSameAs(tooMany);
		assertThat(answer.isServerSide()).as("no stale page for a plain 429").isFalse();
	}

	@Test
	void inFleetModeA429WithRetryAfterPausesTheFleet() {
		UpstreamAdmission gate = new UpstreamAdmission(UpstreamBudget.UNLIMITED, this.pause, this.clock, this.meters);

		UpstreamProblem answer = gate.onRejection(tooManyRequests(Duration.ofSeconds(7)));

		assertThat(answer).isInstanceOf(UpstreamPauseInForce.class);
		assertThat(answer.retryAfter()).isEqualTo(Duration.ofSeconds(7));
		assertThat(answer.getBody().getDetail()).isEqualTo("Detail from postpress");
		assertThat(this.pause.held.get())
			.isEqualTo(new UpstreamPause.Pause(NOW.plusSeconds(7), "errors/too_many_requests", "Too many"));
	}

	@Test
	void inFleetModeOtherRefusalsAndA429WithoutRetryAfterPauseNothing() {
		UpstreamAdmission gate = new UpstreamAdmission(UpstreamBudget.UNLIMITED, this.pause, this.clock, this.meters);
		UpstreamRejection noRetryAfter = tooManyRequests(null);
		UpstreamRejection notFound = new UpstreamRejection(HttpStatus.NOT_FOUND, "errors/resource_not_found",
				"Not found", null, null);

		assertThat(gate.onRejection(noRetryAfter)).isSameAs(noRetryAfter);
		assertThat(gate.onRejection(notFound)).isSameAs(notFound);
		assertThat(this.pause.held.get()).isNull();
	}

	private static UpstreamRejection tooManyRequests(@Nullable Duration retryAfter) {
		return new UpstreamRejection(HttpStatus.TOO_MANY_REQUESTS, "errors/too_many_requests", "Too many",
				"Detail from postpress", retryAfter);
	}

	/**
	 * The pause as a single replica would hold it in memory.
	 */
	static final class HeldPause implements UpstreamPause {

		final AtomicReference<@Nullable Pause> held = new AtomicReference<>();

		@Override
		public @Nullable Pause current() {
			return this.held.get();
		}

		@Override
		public void pause(Pause pause) {
			this.held.set(pause);
		}

	}

}
