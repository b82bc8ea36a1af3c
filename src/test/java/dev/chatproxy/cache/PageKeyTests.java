package dev.chatproxy.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.chatproxy.support.HostileInputs;
import dev.chatproxy.upstream.ChatsQuery;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PageKey}: its text is the query's one serialisation with the values
 * escaped, so that it decodes back to the query and two different queries never share a
 * key, whatever their cursor holds; its digest is computed once.
 */
class PageKeyTests {

	/** Values that look like other parameters of a key, or like its escapes. */
	private static final List<String> KEY_PIECES = List.of("&", "=", "%", "%26", "%25", "&after=", "&limit=5",
			"&before=", "&account_id=x", "attendee_id=a", "2026-01-01T00:00:00.000Z", "a", "");

	@Test
	void differentCursorsAndAftersNeverShareAKey() {
		Random random = new Random(HostileInputs.SEED);
		List<String> hostile = HostileInputs.raw(2000).toList();
		Map<String, ChatsQuery> queries = new HashMap<>();
		for (int i = 0; i < 20_000; i++) {
			ChatsQuery query = new ChatsQuery(List.of("a"), value(random, hostile), value(random, hostile), null,
					random.nextBoolean() ? 100 : 5, List.of());
			String key = PageKey.of(query).value();
			ChatsQuery earlier = queries.putIfAbsent(key, query);
			assertThat(earlier).as("key %s (seed %d)", key, HostileInputs.SEED).isIn(null, query);
			assertThat(decode(key)).as("key %s (seed %d)", key, HostileInputs.SEED).isEqualTo(query.parameters());
		}
	}

	@Test
	void aCursorThatSpellsAnotherParameterIsNotThatParameter() {
		PageKey cursorOnly = PageKey.of(new ChatsQuery(List.of("a"), "x&after=y", null, null, 100, List.of()));
		PageKey cursorAndAfter = PageKey.of(new ChatsQuery(List.of("a"), "x", null, "y", 100, List.of()));

		assertThat(cursorOnly).isNotEqualTo(cursorAndAfter);
		assertThat(cursorOnly.value()).isEqualTo("attendee_id=a&cursor=x%26after=y&limit=100");
		assertThat(cursorAndAfter.value()).isEqualTo("attendee_id=a&cursor=x&after=y&limit=100");
		assertThat(PageKey.of(new ChatsQuery(List.of("a"), "%26", null, null, 100, List.of())).value())
			.isEqualTo("attendee_id=a&cursor=%2526&limit=100");
	}

	@Test
	void keysOfTheSameTextAreEqualAndHashAlike() {
		PageKey key = PageKey.of(new ChatsQuery(List.of("b", " a "), "c", null, null, 100, List.of("acc_1")));
		PageKey same = new PageKey("attendee_id=a,b&cursor=c&limit=100&account_id=acc_1", List.of("a", "b"),
				List.of("acc_1"));

		assertThat(key).isEqualTo(same).hasSameHashCodeAs(same);
		assertThat(key.attendeeIds()).containsExactly("a", "b");
		assertThat(key.accountIds()).containsExactly("acc_1");
	}

	@Test
	void digestIsTheSha256OfTheTextComputedOnce() throws Exception {
		PageKey key = PageKey.of(new ChatsQuery(List.of("a"), null, null, null, 100, List.of()));
		String expected = HexFormat.of()
			.formatHex(MessageDigest.getInstance("SHA-256")
				.digest("attendee_id=a&limit=100".getBytes(StandardCharsets.UTF_8)));

		assertThat(key.digest()).isEqualTo(expected);
		assertThat(key.digest()).isSameAs(key.digest());
	}

	private static String value(Random random, List<String> hostile) {
		return switch (random.nextInt(4)) {
			case 0 -> null;
			case 1 -> hostile.get(random.nextInt(hostile.size()));
			default -> {
				StringBuilder value = new StringBuilder();
				for (int i = random.nextInt(4); i >= 0; i--) {
					value.append(KEY_PIECES.get(random.nextInt(KEY_PIECES.size())));
				}
				yield value.toString();
			}
		};
	}

	/** Reads a key back by the rule its javadoc states. */
	private static Map<String, String> decode(String key) {
		Map<String, String> parameters = new LinkedHashMap<>();
		for (String pair : key.split("&", -1)) {
			int equals = pair.indexOf('=');
			String name = pair.substring(0, equals);
			assertThat(parameters).doesNotContainKey(name);
			parameters.put(name, unescape(pair.substring(equals + 1)));
		}
		return parameters;
	}

	private static String unescape(String value) {
		List<String> parts = new ArrayList<>();
		int start = 0;
		int percent;
		while ((percent = value.indexOf('%', start)) >= 0) {
			parts.add(value.substring(start, percent));
			String escape = value.substring(percent, percent + 3);
			assertThat(escape).isIn("%25", "%26");
			parts.add(escape.equals("%25") ? "%" : "&");
			start = percent + 3;
		}
		parts.add(value.substring(start));
		return String.join("", parts);
	}

}
