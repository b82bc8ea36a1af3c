package dev.chatproxy.upstream;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.chatproxy.system.ProblemType;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.util.StringUtils;

/**
 * Maps a postpress error answer to what the caller is told (CONTRACT.md section 5).
 */
class UpstreamErrorDecoder {

	/** 401 types that mean the proxy's own key is wrong: the caller cannot fix them. */
	private static final Set<String> OWN_CREDENTIAL_TYPES = Set.of(ProblemType.MISSING_CREDENTIALS.type(),
			ProblemType.INVALID_CREDENTIALS.type(), ProblemType.PREFIX + "insufficient_privileges");

	private static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

	private final JsonMapper jsonMapper;

	private final String apiKey;

	UpstreamErrorDecoder(JsonMapper jsonMapper, String apiKey) {
		this.jsonMapper = jsonMapper;
		this.apiKey = apiKey;
	}

	UpstreamProblem decode(int statusCode, HttpHeaders headers, byte[] body, long deadlineNanos) {
		HttpStatus status = HttpStatus.resolve(statusCode);
		Envelope envelope = parse(body);
		Duration retryAfter = retryAfter(headers.getFirst(HttpHeaders.RETRY_AFTER));
		if (status == null) {
			return badResponse(statusCode, "postpress answered with status " + statusCode);
		}
		return switch (status) {
			case INTERNAL_SERVER_ERROR, SERVICE_UNAVAILABLE,
					GATEWAY_TIMEOUT ->
				(envelope != null)
						? new UpstreamFailure(status, envelope.type(), envelope.title(), envelope.detail(), retryAfter,
								deadlineNanos)
						: new UpstreamFailure(ProblemType.forStatus(statusCode), status,
								"postpress answered " + statusCode + ".", retryAfter, deadlineNanos);
			case TOO_MANY_REQUESTS -> (envelope != null)
					? new UpstreamRejection(status, envelope.type(), envelope.title(), envelope.detail(), retryAfter)
					: new UpstreamRejection(ProblemType.TOO_MANY_REQUESTS, status, null, retryAfter);
			case UNAUTHORIZED, FORBIDDEN, NOT_FOUND -> (envelope != null) ? rejection(status, envelope)
					: badResponse(statusCode, "postpress answered " + statusCode + " without an error envelope");
			default -> badResponse(statusCode, "postpress answered with status " + statusCode);
		};
	}

	/**
	 * A bad answer to the caller either way, but one that the circuit breaker counts only
	 * when it is a 5xx: a 4xx is about this request, not postpress' health.
	 */
	private static UpstreamProblem badResponse(int statusCode, String detail) {
		return (statusCode >= 400 && statusCode < 500)
				? new UpstreamRejection(ProblemType.BAD_UPSTREAM_RESPONSE, HttpStatus.BAD_GATEWAY, detail, null)
				: new UpstreamBadResponse(detail);
	}

	private UpstreamRejection rejection(HttpStatus status, Envelope envelope) {
		HttpStatus mapped = (status == HttpStatus.UNAUTHORIZED && OWN_CREDENTIAL_TYPES.contains(envelope.type()))
				? HttpStatus.BAD_GATEWAY : status;
		return new UpstreamRejection(mapped, envelope.type(), envelope.title(), envelope.detail(), null);
	}

	private @Nullable Envelope parse(byte[] body) {
		try {
			RawEnvelope envelope = this.jsonMapper.readValue(body, RawEnvelope.class);
			String type = (envelope != null) ? envelope.type() : null;
			if (envelope == null || type == null || !StringUtils.hasText(type)
					|| !type.startsWith(ProblemType.PREFIX)) {
				return null;
			}
			String title = envelope.title();
			return new Envelope(type, redact((title != null && StringUtils.hasText(title)) ? title
					: type.substring(ProblemType.PREFIX.length())), redactNullable(envelope.detail()));
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	private @Nullable String redactNullable(@Nullable String text) {
		return (text != null) ? redact(text) : null;
	}

	private String redact(String text) {
		return text.replace(this.apiKey, "[redacted]");
	}

	static @Nullable Duration retryAfter(@Nullable String value) {
		if (!StringUtils.hasText(value)) {
			return null;
		}
		Duration delay;
		try {
			delay = Duration.ofSeconds(Long.parseLong(value.trim()));
		}
		catch (NumberFormatException ex) {
			try {
				Instant at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
				delay = Duration.between(Instant.now(), at);
			}
			catch (DateTimeParseException notADate) {
				return null;
			}
		}
		if (delay.isNegative()) {
			return Duration.ZERO;
		}
		return (delay.compareTo(MAX_RETRY_AFTER) > 0) ? MAX_RETRY_AFTER : delay;
	}

	/**
	 * The part of the seed's error envelope that the caller sees again, as postpress sent
	 * it.
	 */
	@JsonIgnoreProperties(ignoreUnknown = true)
	record RawEnvelope(@Nullable String type, @Nullable String title, @Nullable String detail) {
	}

	/**
	 * A valid envelope: an {@code errors/} type, a title, and the detail if any; API key
	 * redacted.
	 */
	record Envelope(String type, String title, @Nullable String detail) {
	}

}
