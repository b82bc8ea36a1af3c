package dev.chatproxy.fleet;

import java.time.Instant;

import dev.chatproxy.upstream.UpstreamPause;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the 429 pause is written to Redis and read back from it by other replicas.
 */
class RedisUpstreamPauseTests {

	@Test
	void readsBackWhatItWrites() {
		UpstreamPause.Pause pause = new UpstreamPause.Pause(Instant.ofEpochMilli(1_796_000_000_123L),
				"errors/too_many_requests", "Too many requests, slow down");

		String value = RedisUpstreamPause.encode(pause);

		assertThat(value).isEqualTo("1796000000123 errors/too_many_requests Too many requests, slow down");
		assertThat(RedisUpstreamPause.decode(value)).isEqualTo(pause);
	}

	@ParameterizedTest
	@NullSource
	@ValueSource(strings = { "", "1796000000123", "1796000000123 errors/too_many_requests",
			"soon errors/too_many_requests Title", "1796000000123 too_many_requests Title" })
	void ignoresWhatItCannotRead(String value) {
		assertThat(RedisUpstreamPause.decode(value)).isNull();
	}

}
