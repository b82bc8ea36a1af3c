package dev.chatproxy.fleet;

import java.time.Instant;

import dev.chatproxy.upstream.UpstreamPause;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the 429 pause is written to Redis and read back from it by other replicas: as the
 * time it has left, never as an instant on the sender's clock.
 */
class RedisUpstreamPauseTests {

	private static final Instant SENDER_NOW = Instant.ofEpochMilli(1_796_000_000_000L);

	@Test
	void readsBackWhatItWrites() {
		UpstreamPause.Pause pause = new UpstreamPause.Pause(SENDER_NOW.plusMillis(5_123), "errors/too_many_requests",
				"Too many requests, slow down");

		String value = RedisUpstreamPause.encode(pause, SENDER_NOW);

		assertThat(value).isEqualTo("5123 errors/too_many_requests Too many requests, slow down");
		assertThat(RedisUpstreamPause.decode(value, SENDER_NOW)).isEqualTo(pause);
	}

	@Test
	void aReceiverWhoseClockIsAheadPausesAsLongAsTheSender() {
		UpstreamPause.Pause pause = new UpstreamPause.Pause(SENDER_NOW.plusSeconds(3), "errors/too_many_requests",
				"Too many requests, slow down");
		Instant receiverNow = SENDER_NOW.plusSeconds(10);

		UpstreamPause.Pause received = RedisUpstreamPause.decode(RedisUpstreamPause.encode(pause, SENDER_NOW),
				receiverNow);

		assertThat(received).isNotNull();
		assertThat(received.until()).isEqualTo(receiverNow.plusSeconds(3));
	}

	@ParameterizedTest
	@NullSource
	@ValueSource(strings = { "", "1796000000123", "1796000000123 errors/too_many_requests",
			"soon errors/too_many_requests Title", "1796000000123 too_many_requests Title" })
	void ignoresWhatItCannotRead(String value) {
		assertThat(RedisUpstreamPause.decode(value, SENDER_NOW)).isNull();
	}

}
