package dev.chatproxy.upstream;

import java.net.URI;
import java.time.Duration;

import dev.chatproxy.system.ProblemType;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A postpress call that did not produce a page, carrying the problem the caller is told
 * (status, type, title, detail, and {@code Retry-After} when known).
 * <p>
 * The subclasses are what Resilience4j is configured with: {@link UpstreamFailure} is
 * retried and counted by the circuit breaker, {@link UpstreamRejection} is neither,
 * {@link UpstreamBadResponse} is counted but not retried, and {@link UpstreamUnavailable}
 * and {@link UpstreamPauseInForce} are answers given without calling postpress.
 */
public abstract sealed class UpstreamProblem extends ErrorResponseException
		permits UpstreamFailure, UpstreamRejection, UpstreamBadResponse, UpstreamUnavailable, UpstreamPauseInForce {

	private final @Nullable Duration retryAfter;

	/** A problem in one of chat-proxy's own types. */
	UpstreamProblem(ProblemType type, HttpStatus status, @Nullable String detail, @Nullable Duration retryAfter) {
		this(status, type.problem(status, detail), retryAfter);
	}

	/** A problem in the type postpress answered with. */
	UpstreamProblem(HttpStatus status, String type, String title, @Nullable String detail,
			@Nullable Duration retryAfter) {
		this(status, problem(status, type, title, detail), retryAfter);
	}

	private UpstreamProblem(HttpStatus status, ProblemDetail problem, @Nullable Duration retryAfter) {
		super(status, problem, null);
		this.retryAfter = retryAfter;
		if (retryAfter != null) {
			getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, retryAfter.toSeconds())));
		}
	}

	private static ProblemDetail problem(HttpStatus status, String type, String title, @Nullable String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setType(URI.create(type));
		problem.setTitle(title);
		return problem;
	}

	/**
	 * Error type of the envelope, such as {@code errors/network_down}.
	 * @return the type
	 */
	public String type() {
		return String.valueOf(getBody().getType());
	}

	/**
	 * How long the caller should wait before trying again, if known.
	 * @return the delay or {@code null}
	 */
	public @Nullable Duration retryAfter() {
		return this.retryAfter;
	}

	/**
	 * Whether postpress (or the way to it) is failing or holding us back, rather than
	 * refusing this request: the cases in which a stale page may be served instead. A 429
	 * passed on from postpress is not one; the fleet's pause that follows it is.
	 * @return {@code true} for server-side failures and the fleet's pause
	 */
	public boolean isServerSide() {
		return (getStatusCode().is5xxServerError() && !(this instanceof UpstreamRejection))
				|| this instanceof UpstreamPauseInForce;
	}

	/**
	 * Failures are expected and frequent when postpress is down: no stack trace to pay
	 * for.
	 */
	@Override
	public synchronized Throwable fillInStackTrace() {
		return this;
	}

	@Override
	public String getMessage() {
		// the status and type only: detail and title may quote postpress
		return getStatusCode().value() + " " + type();
	}

}
