package dev.chatproxy.support;

import java.net.http.HttpResponse;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks an error answer of the proxy against the seed's envelope (CONTRACT.md section
 * 5), and that it gives away neither the API key nor where postpress is.
 */
public final class ProblemAssertions {

	private static final JsonMapper json = JsonMapper.builder().build();

	private ProblemAssertions() {
	}

	/**
	 * Asserts a problem answer and returns its body.
	 * @param response the proxy's answer
	 * @param status the expected status, also in the body
	 * @param type the expected error type
	 * @param upstreamPort the port postpress listens on, which must not leak
	 * @return the parsed body
	 */
	public static JsonNode assertProblem(HttpResponse<String> response, int status, String type, int upstreamPort) {
		JsonNode body = assertProblem(response, status, type);
		assertLeaksNothing(response, upstreamPort);
		return body;
	}

	/**
	 * Asserts the envelope of a problem answer and returns its body.
	 * @param response the proxy's answer
	 * @param status the expected status, also in the body
	 * @param type the expected error type
	 * @return the parsed body
	 */
	public static JsonNode assertProblem(HttpResponse<String> response, int status, String type) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		JsonNode body = json.readTree(response.body());
		assertThat(body.path("type").asString()).isEqualTo(type);
		assertThat(body.path("status").asInt()).isEqualTo(status);
		assertThat(body.path("title").asString()).isNotBlank();
		assertThat(body.path("instance").asString()).isEqualTo(response.headers().firstValue("X-Request-Id").get());
		return body;
	}

	/**
	 * Asserts that neither the body nor a header holds the API key or postpress' address.
	 * @param response the proxy's answer
	 * @param upstreamPort the port postpress listens on
	 */
	public static void assertLeaksNothing(HttpResponse<String> response, int upstreamPort) {
		String headers = response.headers().map().toString();
		for (String secret : new String[] { Postpress.API_KEY, "127.0.0.1:" + upstreamPort, "localhost:" + upstreamPort,
				Postpress.BASE_PATH }) {
			assertThat(response.body()).doesNotContain(secret);
			assertThat(headers).doesNotContain(secret);
		}
	}

	/**
	 * Parses a JSON answer.
	 * @param body the answer's body
	 * @return the tree
	 */
	public static JsonNode parse(String body) {
		return json.readTree(body);
	}

}
