package dev.chatproxy.support;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link RedisServer}: the real server starts, answers, freezes, and comes back
 * empty after a restart.
 */
class RedisServerTests {

	@RegisterExtension
	static RedisServer redis = new RedisServer();

	@Test
	void answersCommandsAndDumpsWhatItHolds() {
		redis.flushAll();
		redis.command("SET", "a", "1");
		redis.command("HSET", "h", "f", "v");
		assertThat(redis.command("GET", "a")).isEqualTo("1");
		assertThat(redis.command("GET", "missing")).isNull();
		assertThat(redis.dump()).containsExactlyInAnyOrder("a=1", "h=f\nv");
	}

	@Test
	void aFrozenServerAnswersNothingUntilThawed() {
		redis.freeze();
		try {
			assertThatExceptionOfType(java.io.UncheckedIOException.class).isThrownBy(() -> redis.command("PING"));
		}
		finally {
			redis.thaw();
		}
		assertThat(redis.command("PING")).isEqualTo("PONG");
	}

	@Test
	void restartsEmptyOnTheSamePort() {
		int port = redis.port();
		redis.command("SET", "k", "v");
		redis.stop();
		redis.start();
		assertThat(redis.port()).isEqualTo(port);
		assertThat(redis.keys()).isEmpty();
	}

}
