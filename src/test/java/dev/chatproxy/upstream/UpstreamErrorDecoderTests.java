package dev.chatproxy.upstream;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How each postpress error answer becomes the caller's problem and the exception class
 * that tells Resilience4j what to do with it (CONTRACT.md sections 5 and 6), case by
 * case.
 */
class UpstreamErrorDecoderTests {

	private static final String API_KEY = "pp_unit_k3y";

	private final UpstreamErrorDecoder decoder = new UpstreamErrorDecoder(JsonMapper.builder().build(), API_KEY);

	@ParameterizedTest(name = "{0} {1} -> {2} {3} as {4}")
	@CsvSource(delimiter = '|', textBlock = """
			401 | errors/expired_credentials        | 401 | errors/expired_credentials        | UpstreamRejection
			401 | errors/missing_credentials        | 502 | errors/missing_credentials        | UpstreamRejection
			401 | errors/invalid_credentials        | 502 | errors/invalid_credentials        | UpstreamRejection
			401 | errors/insufficient_privileges    | 502 | errors/insufficient_privileges    | UpstreamRejection
			403 | errors/insufficient_permissions   | 403 | errors/insufficient_permissions   | UpstreamRejection
			403 | errors/brand_new_restriction      | 403 | errors/brand_new_restriction      | UpstreamRejection
			404 | errors/resource_not_found         | 404 | errors/resource_not_found         | UpstreamRejection
			429 | errors/too_many_requests          | 429 | errors/too_many_requests          | UpstreamRejection
			500 | errors/provider_error             | 500 | errors/provider_error             | UpstreamFailure
			503 | errors/no_channel                 | 503 | errors/no_channel                 | UpstreamFailure
			504 | errors/request_timeout            | 504 | errors/request_timeout            | UpstreamFailure
			400 | errors/invalid_parameters         | 502 | errors/bad_upstream_response      | UpstreamRejection
			422 | errors/unprocessable              | 502 | errors/bad_upstream_response      | UpstreamRejection
			502 | errors/bad_gateway                | 502 | errors/bad_upstream_response      | UpstreamBadResponse
			""")
	void mapsAnEnvelopeByStatusAndType(int status, String type, int expectedStatus, String expectedType,
			String expectedClass) {
		UpstreamProblem exception = this.decoder.decode(status, new HttpHeaders(), envelope(status, type), 0);

		assertThat(exception.getStatusCode().value()).isEqualTo(expectedStatus);
		assertThat(exception.getBody().getType()).hasToString(expectedType);
		assertThat(exception.getClass().getSimpleName()).isEqualTo(expectedClass);
		if (expectedType.equals(type)) {
			assertThat(exception.getBody().getTitle()).isEqualTo("Title of " + type);
			assertThat(exception.getBody().getDetail()).isEqualTo("Detail of " + type);
		}
	}

	@ParameterizedTest(name = "{0} with {1} -> {2} {3}")
	@CsvSource(delimiter = '|', textBlock = """
			500 | <html>nginx</html>            | 500 | errors/unexpected_error      | UpstreamFailure
			503 | ''                            | 503 | errors/service_unavailable   | UpstreamFailure
			504 | {"message":"timeout"}         | 504 | errors/request_timeout       | UpstreamFailure
			429 | Too Many Requests             | 429 | errors/too_many_requests     | UpstreamRejection
			401 | Unauthorized                  | 502 | errors/bad_upstream_response | UpstreamRejection
			404 | Not Found                     | 502 | errors/bad_upstream_response | UpstreamRejection
			404 | {"type":"resource_not_found"} | 502 | errors/bad_upstream_response | UpstreamRejection
			418 | ''                            | 502 | errors/bad_upstream_response | UpstreamRejection
			502 | <html>Bad Gateway</html>      | 502 | errors/bad_upstream_response | UpstreamBadResponse
			299 | ''                            | 502 | errors/bad_upstream_response | UpstreamBadResponse
			""")
	void mapsAnAnswerWithoutAnEnvelopeByStatus(int status, String body, int expectedStatus, String expectedType,
			String expectedClass) {
		UpstreamProblem exception = this.decoder.decode(status, new HttpHeaders(),
				body.getBytes(StandardCharsets.UTF_8), 0);

		assertThat(exception.getStatusCode().value()).isEqualTo(expectedStatus);
		assertThat(exception.getBody().getType()).hasToString(expectedType);
		assertThat(exception.getClass().getSimpleName()).isEqualTo(expectedClass);
		assertThat(exception.getBody().getDetail()).doesNotContain("nginx", "Bad Gateway");
	}

	@Test
	void onlyFailuresOfPostpressItselfAllowAStaleAnswer() {
		assertThat(this.decoder.decode(503, new HttpHeaders(), envelope(503, "errors/no_channel"), 0).isServerSide())
			.isTrue();
		assertThat(this.decoder.decode(502, new HttpHeaders(), new byte[0], 0).isServerSide()).isTrue();
		assertThat(this.decoder.decode(401, new HttpHeaders(), envelope(401, "errors/invalid_credentials"), 0)
			.isServerSide()).as("a 502 about the proxy's own key").isFalse();
		assertThat(this.decoder.decode(404, new HttpHeaders(), envelope(404, "errors/resource_not_found"), 0)
			.isServerSide()).isFalse();
	}

	@Test
	void redactsTheApiKeyFromTitleAndDetail() {
		byte[] body = ("{\"type\":\"errors/account_restricted\",\"title\":\"Key " + API_KEY
				+ " restricted\",\"detail\":\"The key " + API_KEY + " lacks a scope\"}")
			.getBytes(StandardCharsets.UTF_8);

		ProblemDetail problem = this.decoder.decode(403, new HttpHeaders(), body, 0).getBody();

		assertThat(problem.getTitle()).isEqualTo("Key [redacted] restricted");
		assertThat(problem.getDetail()).isEqualTo("The key [redacted] lacks a scope");
	}

	@Test
	void namesAnEnvelopeWithoutTitleAfterItsType() {
		byte[] body = "{\"type\":\"errors/no_handler\",\"status\":503}".getBytes(StandardCharsets.UTF_8);

		ProblemDetail problem = this.decoder.decode(503, new HttpHeaders(), body, 0).getBody();

		assertThat(problem.getTitle()).isEqualTo("no_handler");
		assertThat(problem.getDetail()).isNull();
	}

	@Test
	void passesOnRetryAfterAsAHeaderAndKeepsItForTheRetry() {
		HttpHeaders headers = new HttpHeaders();
		headers.set(HttpHeaders.RETRY_AFTER, "7");

		UpstreamProblem exception = this.decoder.decode(429, headers, envelope(429, "errors/too_many_requests"), 0);

		assertThat(exception.retryAfter()).isEqualTo(Duration.ofSeconds(7));
		assertThat(exception.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("7");
	}

	@ParameterizedTest(name = "Retry-After: {0} -> {1} s")
	@CsvSource(delimiter = '|', nullValues = "-", textBlock = """
			0          | 0
			' 12 '     | 12
			-3         | 0
			3600       | 3600
			999999     | 3600
			soon       | -
			''         | -
			""")
	void readsRetryAfterSecondsCappedAtAnHour(String value, Long seconds) {
		Duration expected = (seconds != null) ? Duration.ofSeconds(seconds) : null;
		assertThat(UpstreamErrorDecoder.retryAfter(value)).isEqualTo(expected);
	}

	@Test
	void readsRetryAfterAsAnHttpDate() {
		String inAMinute = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now().plusSeconds(61));
		String past = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now().minusSeconds(60));

		assertThat(UpstreamErrorDecoder.retryAfter(inAMinute)).isBetween(Duration.ofSeconds(30),
				Duration.ofSeconds(61));
		assertThat(UpstreamErrorDecoder.retryAfter(past)).isEqualTo(Duration.ZERO);
	}

	private static byte[] envelope(int status, String type) {
		return ("{\"type\":\"" + type + "\",\"title\":\"Title of " + type + "\",\"status\":" + status
				+ ",\"detail\":\"Detail of " + type + "\",\"instance\":\"upstream-req-1\"}")
			.getBytes(StandardCharsets.UTF_8);
	}

}
