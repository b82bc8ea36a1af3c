package dev.chatproxy.support;

import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Generates hostile request inputs for property tests: strings made of pieces an attacker
 * would try (dot segments in every encoding, separators, path parameters, control
 * characters, overlong UTF-8, double encoding, commas, very long ids) mixed with benign
 * ones. Seeded, so that a failure names the seed that reproduces it: run again with
 * {@code -Dhostile.seed=N}.
 */
public final class HostileInputs {

	/** Pieces as they would appear raw on the request line (percent-encoded or not). */
	public static final List<String> PIECES = List.of(".", "..", "%2e", "%2E", "%2e%2e", ".%2e", "%2e.", "%252e",
			"%252e%252e", "/", "%2f", "%2F", "%252f", "\\", "%5c", "%5C", ";", "%3b", "%3B", ";x=1", "%00", "\r\n",
			"%0d%0a", "%0a", "%c0%ae", "%c0%af", "%e0%80%ae", "%c1%9c", "%25", "%", "%zz", "%2", ",", "%2c", " ", "%20",
			"+", "=", ":", "@", "-", "_", "?", "%3f", "#", "%23", "&", "%26", "a", "Z9", "ACoAACr-1eYBl",
			"33612345678@s.whatsapp.net", "att_01HXYZ", "é", "%c3%a9", "\u2024", "%e2%80%a4", "x".repeat(300),
			"chat_attendees", "chats", "..%2f", "%2e%2e%2f", "..;", "~", "$", "'", "\"", "<", "{x}");

	/** The seed of this run. */
	public static final long SEED = Long.getLong("hostile.seed", 20261129L);

	private HostileInputs() {
	}

	/**
	 * Raw strings of one to five pieces each.
	 * @param count how many
	 * @return the strings, the same ones for the same seed
	 */
	public static Stream<String> raw(int count) {
		Random random = new Random(SEED);
		return IntStream.range(0, count).mapToObj((i) -> {
			StringBuilder value = new StringBuilder();
			int pieces = 1 + random.nextInt(5);
			for (int p = 0; p < pieces; p++) {
				value.append(PIECES.get(random.nextInt(PIECES.size())));
			}
			return value.toString();
		});
	}

}
