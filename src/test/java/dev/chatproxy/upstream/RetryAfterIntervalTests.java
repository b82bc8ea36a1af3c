package dev.chatproxy.upstream;

import java.time.Duration;

import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.core.functions.Either;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.http.HttpStatus;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The wait before a retry (CONTRACT.md section 6), case by case: the backoff, or
 * postpress' {@code Retry-After} when longer, and no retry when the wait would end past
 * the request's deadline.
 */
class RetryAfterIntervalTests {

	private static final long BACKOFF_MILLIS = 200;

	private final RetryAfterInterval interval = new RetryAfterInterval(
			IntervalBiFunction.ofIntervalFunction((attempt) -> BACKOFF_MILLIS));

	@ParameterizedTest(name = "Retry-After {0} s, deadline in {1} ms -> wait {2} ms")
	@CsvSource(delimiter = '|', nullValues = "-", textBlock = """
			-   | 25000 | 200
			0   | 25000 | 200
			1   | 25000 | 1000
			5   | 25000 | 5000
			-   | 100   | -1
			1   | 1000  | -1
			5   | 2000  | -1
			-   | -5    | -1
			""")
	void waitsForTheBackoffOrRetryAfterWithinTheDeadline(Long retryAfterSeconds, long deadlineInMillis,
			long expectedWait) {
		Duration retryAfter = (retryAfterSeconds != null) ? Duration.ofSeconds(retryAfterSeconds) : null;
		long deadlineNanos = System.nanoTime() + Duration.ofMillis(deadlineInMillis).toNanos();
		UpstreamFailure failure = new UpstreamFailure(HttpStatus.SERVICE_UNAVAILABLE, "errors/no_channel", "No channel",
				null, retryAfter, deadlineNanos);

		assertThat(this.interval.apply(1, Either.left(failure))).isEqualTo(expectedWait);
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			a refusal, which is not retried anyway | 429
			a success                              | 200
			""")
	void waitsForTheBackoffAloneForAnythingButAFailure(String name, int status) {
		Either<Throwable, Object> outcome = (status == 200) ? Either.right("page")
				: Either.left(new UpstreamRejection(HttpStatus.TOO_MANY_REQUESTS, "errors/too_many_requests",
						"Too many requests", null, Duration.ofSeconds(30)));

		assertThat(this.interval.apply(1, outcome)).isEqualTo(BACKOFF_MILLIS);
	}

}
