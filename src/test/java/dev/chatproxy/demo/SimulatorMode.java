package dev.chatproxy.demo;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How the simulator answers the chats API: healthy, with an error, never, by dropping the
 * connection, or slowly. A mode lasts until it is changed, or for a number of calls when
 * {@code times} is positive.
 *
 * @param kind the kind of answer
 * @param status the error status ({@link Kind#ERROR} only)
 * @param retryAfter the {@code Retry-After} of errors, or {@code null} for none
 * @param delay the extra delay of each answer ({@link Kind#SLOW} only)
 * @param times how many more calls the mode lasts, 0 for until changed
 */
public record SimulatorMode(Kind kind, int status, Duration retryAfter, Duration delay, int times) {

	private static final Set<String> PARAMETERS = Set.of("mode", "status", "retry_after", "delay_ms", "times");

	public SimulatorMode {
		if (kind == Kind.ERROR && Problem.forErrorMode(status).isEmpty()) {
			throw new IllegalArgumentException("status must be one of 401, 403, 404, 429, 500, 503, 504");
		}
		if (delay == null || delay.isNegative() || times < 0) {
			throw new IllegalArgumentException("delay and times must not be negative");
		}
	}

	public static SimulatorMode healthy() {
		return new SimulatorMode(Kind.HEALTHY, 200, null, Duration.ZERO, 0);
	}

	/**
	 * Answers every call with a postpress error.
	 * @param status one of 401, 403, 404, 429, 500, 503 and 504
	 * @param retryAfter the {@code Retry-After} to send, or {@code null}
	 * @return the mode
	 */
	public static SimulatorMode error(int status, Duration retryAfter) {
		return new SimulatorMode(Kind.ERROR, status, retryAfter, Duration.ZERO, 0);
	}

	/** Accepts every call and never answers it (until the simulator stops). */
	public static SimulatorMode hang() {
		return new SimulatorMode(Kind.HANG, 0, null, Duration.ZERO, 0);
	}

	/** Closes the connection of every call without answering. */
	public static SimulatorMode reset() {
		return new SimulatorMode(Kind.RESET, 0, null, Duration.ZERO, 0);
	}

	/** Answers every call as healthy, after a delay. */
	public static SimulatorMode slow(Duration delay) {
		return new SimulatorMode(Kind.SLOW, 200, null, delay, 0);
	}

	/**
	 * This mode for the next calls only, then healthy again.
	 * @param calls how many calls, 0 for until changed
	 * @return the mode
	 */
	public SimulatorMode times(int calls) {
		return new SimulatorMode(this.kind, this.status, this.retryAfter, this.delay, calls);
	}

	/**
	 * The mode a control request asks for, e.g.
	 * {@code mode=error&status=503&retry_after=2}.
	 * @param parameters the decoded query parameters
	 * @return the mode
	 * @throws ProblemException when the parameters do not describe a mode
	 */
	static SimulatorMode of(Map<String, String> parameters) {
		parameters.keySet().stream().filter((name) -> !PARAMETERS.contains(name)).findFirst().ifPresent((name) -> {
			throw invalid(name + " is not a known parameter");
		});
		String kind = parameters.getOrDefault("mode", "");
		try {
			SimulatorMode mode = switch (kind) {
				case "healthy" -> healthy();
				case "error" -> error(number(parameters, "status", 503), parameters.containsKey("retry_after")
						? Duration.ofSeconds(number(parameters, "retry_after", 0)) : null);
				case "hang" -> hang();
				case "reset" -> reset();
				case "slow" -> slow(Duration.ofMillis(number(parameters, "delay_ms", 1000)));
				default -> throw invalid("mode must be one of healthy, error, hang, reset, slow");
			};
			return mode.times(number(parameters, "times", 0));
		}
		catch (IllegalArgumentException ex) {
			throw invalid(ex.getMessage());
		}
	}

	/**
	 * The mode for the next call, after this one was used for a call.
	 * @return the mode that follows
	 */
	SimulatorMode next() {
		return switch (this.times) {
			case 0 -> this;
			case 1 -> healthy();
			default -> times(this.times - 1);
		};
	}

	Map<String, Object> describe() {
		Map<String, Object> description = new LinkedHashMap<>();
		description.put("mode", this.kind.name().toLowerCase(Locale.ROOT));
		if (this.kind == Kind.ERROR) {
			description.put("status", this.status);
			if (this.retryAfter != null) {
				description.put("retry_after", this.retryAfter.toSeconds());
			}
		}
		if (this.kind == Kind.SLOW) {
			description.put("delay_ms", this.delay.toMillis());
		}
		if (this.times > 0) {
			description.put("times", this.times);
		}
		return description;
	}

	private static int number(Map<String, String> parameters, String name, int defaultValue) {
		String value = parameters.get(name);
		if (value == null) {
			return defaultValue;
		}
		if (!value.matches("\\d{1,7}")) {
			throw new IllegalArgumentException(name + " must be a non-negative integer");
		}
		return Integer.parseInt(value);
	}

	private static ProblemException invalid(String detail) {
		return new ProblemException(Problem.INVALID_PARAMETERS, detail);
	}

	/** The kinds of answer. */
	public enum Kind {

		/** Answers with the dataset. */
		HEALTHY,

		/** Answers with a postpress error. */
		ERROR,

		/** Never answers. */
		HANG,

		/** Closes the connection without answering. */
		RESET,

		/** Answers with the dataset, late. */
		SLOW

	}

}
