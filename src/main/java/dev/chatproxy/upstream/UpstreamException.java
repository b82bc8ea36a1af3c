package dev.chatproxy.upstream;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;

/**
 * A postpress call that did not produce a page, carrying what the caller should be told.
 * <p>
 * The subclasses are what Resilience4j is configured with: {@link UpstreamFailure} is
 * retried and counted by the circuit breaker, {@link UpstreamRejection} is neither,
 * {@link UpstreamBadResponse} is counted but not retried, and {@link UpstreamUnavailable}
 * is the answer given without calling postpress.
 */
public abstract sealed class UpstreamException extends RuntimeException
		permits UpstreamFailure, UpstreamRejection, UpstreamBadResponse, UpstreamUnavailable {

	private final HttpStatus status;

	private final String type;

	private final String title;

	private final @Nullable String detail;

	private final @Nullable Duration retryAfter;

	UpstreamException(HttpStatus status, String type, String title, @Nullable String detail,
			@Nullable Duration retryAfter) {
		super(status.value() + " " + type, null, false, false);
		this.status = status;
		this.type = type;
		this.title = title;
		this.detail = detail;
		this.retryAfter = retryAfter;
	}

	/**
	 * Status to answer the caller with.
	 * @return the status
	 */
	public HttpStatus status() {
		return this.status;
	}

	/**
	 * Error type of the envelope, such as {@code errors/network_down}.
	 * @return the type
	 */
	public String type() {
		return this.type;
	}

	/**
	 * Short title of the envelope.
	 * @return the title
	 */
	public String title() {
		return this.title;
	}

	/**
	 * Human-readable explanation, if any.
	 * @return the detail or {@code null}
	 */
	public @Nullable String detail() {
		return this.detail;
	}

	/**
	 * How long the caller should wait before trying again, if known.
	 * @return the delay or {@code null}
	 */
	public @Nullable Duration retryAfter() {
		return this.retryAfter;
	}

	/**
	 * Whether postpress (or the way to it) is failing, rather than refusing this request:
	 * the cases in which a stale page may be served instead.
	 * @return {@code true} for server-side failures
	 */
	public boolean isServerSide() {
		return this.status.is5xxServerError() && !(this instanceof UpstreamRejection);
	}

}
