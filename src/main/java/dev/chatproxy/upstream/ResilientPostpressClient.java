package dev.chatproxy.upstream;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.reactor.bulkhead.operator.BulkheadOperator;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.retry.Retry;
import reactor.core.publisher.Mono;

/**
 * The only way to postpress: one {@link PostpressClient} call per attempt, wrapped in the
 * resilience policies of the {@code postpress} instance.
 * <p>
 * The order, from the caller inwards, and why:
 * <ol>
 * <li><b>circuit breaker</b>: outermost, so that it counts requests, not attempts: a
 * request whose transient errors the retries absorbed is a success, and only one that
 * failed every attempt or ran out of time (5xx, connection failure, timeout) is a
 * failure; refusals (4xx) are not counted at all. While open it answers at once;</li>
 * <li><b>deadline</b>: the caller never waits longer than {@code postpress.deadline},
 * whatever happens inside; inside the breaker, so that running out of time is a failure
 * it counts rather than a cancellation it ignores;</li>
 * <li><b>retry</b>: the attempts of one request, with backoff;</li>
 * <li><b>gate</b> ({@link UpstreamAdmission}): the fleet's 429 pause and the budget,
 * checked by each attempt so that retries draw on the budget too; an attempt it holds
 * back fails at once, never waiting, and the breaker ignores that outcome;</li>
 * <li><b>bulkhead</b>: innermost, so a permit is held only while a request is really in
 * flight, not while a retry waits;</li>
 * <li><b>attempt timeout</b>: {@code postpress.response-timeout} for the whole exchange,
 * body included, so a trickling upstream is cut off too.</li>
 * </ol>
 */
public class ResilientPostpressClient {

	private final PostpressClient client;

	private final Retry retry;

	private final CircuitBreaker circuitBreaker;

	private final Bulkhead bulkhead;

	private final UpstreamAdmission gate;

	private final Duration responseTimeout;

	private final Duration deadline;

	private final AtomicLong openedAtNanos = new AtomicLong();

	ResilientPostpressClient(PostpressClient client, Retry retry, CircuitBreaker circuitBreaker, Bulkhead bulkhead,
			UpstreamAdmission gate, PostpressProperties properties) {
		this.client = client;
		this.retry = retry;
		this.circuitBreaker = circuitBreaker;
		this.bulkhead = bulkhead;
		this.gate = gate;
		this.responseTimeout = properties.responseTimeout();
		this.deadline = properties.deadline();
		circuitBreaker.getEventPublisher().onStateTransition((event) -> {
			if (event.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
				this.openedAtNanos.set(System.nanoTime());
			}
		});
	}

	/**
	 * Fetches one page, retrying and failing fast as configured.
	 * @param query the validated query
	 * @param requestId the request id to pass on to postpress
	 * @return the page, its JSON as postpress sent it, or an {@link UpstreamProblem}
	 */
	public Mono<ChatList> fetch(ChatsQuery query, String requestId) {
		return fetch(query, requestId, (failure) -> {
		});
	}

	/**
	 * Fetches one page, retrying and failing fast as configured, and tells of each failed
	 * attempt as it happens, so that a caller holding a stale copy need not wait for the
	 * retries.
	 * @param query the validated query
	 * @param requestId the request id to pass on to postpress
	 * @param onAttemptFailure called with the failure of each attempt, retried or not
	 * @return the page, its JSON as postpress sent it, or an {@link UpstreamProblem}
	 */
	public Mono<ChatList> fetch(ChatsQuery query, String requestId, Consumer<UpstreamProblem> onAttemptFailure) {
		return Mono.defer(() -> {
			long deadlineNanos = System.nanoTime() + this.deadline.toNanos();
			AtomicInteger attempts = new AtomicInteger();
			Mono<ChatList> attempt = Mono
				.defer(() -> this.client.fetch(query, requestId, deadlineNanos)
					.contextWrite((context) -> context.put(PostpressClient.ATTEMPT, attempts.incrementAndGet())))
				.timeout(this.responseTimeout, Mono.error(() -> UpstreamFailure.timeout(deadlineNanos)))
				.transformDeferred(BulkheadOperator.of(this.bulkhead))
				.onErrorMap(UpstreamRejection.class, this.gate::onRejection);
			return this.gate.admit()
				.then(attempt)
				.doOnError(UpstreamProblem.class, onAttemptFailure)
				.transformDeferred(RetryOperator.of(this.retry))
				.timeout(this.deadline, Mono.error(() -> UpstreamFailure.timeout(deadlineNanos)))
				.transformDeferred(CircuitBreakerOperator.of(this.circuitBreaker))
				.onErrorMap(CallNotPermittedException.class, (ex) -> circuitOpen())
				.onErrorMap(BulkheadFullException.class,
						(ex) -> new UpstreamUnavailable("Too many requests to postpress are in flight. Retry shortly.",
								Duration.ofSeconds(1)));
		})
			// the caller's observation (its trace) goes into the Reactor context, where
			// each
			// attempt's WebClient observation finds its parent, whichever thread a retry
			// runs on
			.contextCapture();
	}

	private UpstreamUnavailable circuitOpen() {
		Duration wait = Duration
			.ofMillis(this.circuitBreaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1));
		Duration open = Duration.ofNanos(System.nanoTime() - this.openedAtNanos.get());
		Duration left = wait.minus(open);
		long seconds = Math.max(1, (left.toMillis() + 999) / 1000);
		return new UpstreamUnavailable("postpress is failing; calls to it are paused. Retry later.",
				Duration.ofSeconds(seconds));
	}

}
