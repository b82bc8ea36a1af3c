package dev.chatproxy.support;

import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Assertions on the proxy's cached answers, as a caller sees them.
 */
public final class CacheAssertions {

	private CacheAssertions() {
	}

	/**
	 * Asserts a stale copy served because postpress failed (CONTRACT.md section 6): a 200
	 * with the stored body and a {@code Cache-Status} saying how far past its TTL it is.
	 * @param answer the proxy's answer
	 * @param storedBody the body of the copy that was stored
	 * @param secondsPastTtl how many seconds past its TTL the copy is
	 */
	public static void assertStaleIfError(HttpResponse<String> answer, String storedBody, int secondsPastTtl) {
		assertThat(answer.statusCode()).isEqualTo(200);
		assertThat(answer.body()).isEqualTo(storedBody);
		assertThat(answer.headers().firstValue("Cache-Status"))
			.hasValue("chat-proxy; hit; ttl=-" + secondsPastTtl + "; detail=stale-if-error");
	}

}
