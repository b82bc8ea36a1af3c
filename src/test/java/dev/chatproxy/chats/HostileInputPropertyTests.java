package dev.chatproxy.chats;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import dev.chatproxy.support.HostileInputs;
import dev.chatproxy.upstream.ChatsQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Property tests of the inbound validation: for generated hostile path and query values
 * (see {@link HostileInputs}), every input is either rejected naming a parameter, or
 * yields a query whose every id is a plain id (allowed characters only, a letter or
 * digit, never a dot segment) and whose other values keep their bounds.
 */
class HostileInputPropertyTests {

	private static final int CASES = 5000;

	@Test
	void everyHostileAttendeeIdIsRejectedOrAPlainId() {
		HostileInputs.raw(CASES).forEach((raw) -> {
			checkAttendeeId(raw);
			checkAttendeeId(lenientlyDecoded(raw));
		});
	}

	@Test
	void everyHostileQueryIsRejectedOrWithinBounds() {
		List<String> names = List.of("cursor", "before", "after", "limit", "account_id", "accountId", "");
		int[] index = { 0 };
		HostileInputs.raw(CASES).forEach((raw) -> {
			String name = names.get(index[0]++ % names.size());
			String query = name + "=" + raw + ((index[0] % 3 == 0) ? "&" + raw : "");
			try {
				ChatsQuery parsed = ChatsQueryParser.parse("a", QueryString.parse(query));
				assertThat(parsed.accountIds()).as(describe(query))
					.allSatisfy(HostileInputPropertyTests::assertPlainId);
				assertThat(parsed.limit()).as(describe(query)).isBetween(1, 250);
				if (parsed.cursor() != null) {
					assertThat(parsed.cursor().length()).as(describe(query)).isBetween(1, 2048);
				}
			}
			catch (InvalidParameter ex) {
				assertThat(ex.getMessage()).as(describe(query)).isNotBlank();
			}
		});
	}

	@ParameterizedTest
	@ValueSource(strings = { ".", "..", " .. ", "...", "a,..", "..,b", ".:.", "-", "_", "@", "+=", "a/..", "a;b",
			"a\\b", "a\u0000", "a\r\nb", "a%2e", "" })
	void rejectsDotSegmentsSeparatorsAndIdsWithoutALetterOrDigit(String attendeeId) {
		assertThatExceptionOfType(InvalidParameter.class).isThrownBy(() -> ChatsQueryParser.parse(attendeeId, Map.of()))
			.satisfies((ex) -> assertThat(ex.parameter()).isEqualTo("attendee_id"));
	}

	@ParameterizedTest
	@ValueSource(strings = { "=x", "limit=%zz", "a%zz=1", "limit=%2", "cursor=%c0%ae", "cursor=%e0%80%ae", "cursor=%ff",
			"=", "&=&" })
	void rejectsMalformedQueriesNamingTheParameter(String query) {
		assertThatExceptionOfType(InvalidParameter.class).isThrownBy(() -> QueryString.parse(query));
	}

	@Test
	void decodesAWellFormedQueryAsAFormWould() {
		Map<String, String[]> parameters = QueryString.parse("cursor=a%2Bb+c&account_id=x&&account_id=%C3%A9&limit=5&");
		assertThat(parameters).containsOnlyKeys("cursor", "account_id", "limit");
		assertThat(parameters.get("cursor")).containsExactly("a+b c");
		assertThat(parameters.get("account_id")).containsExactly("x", "é");
	}

	private static void checkAttendeeId(String attendeeId) {
		try {
			ChatsQuery query = ChatsQueryParser.parse(attendeeId, Map.of());
			assertThat(query.attendeeIds()).as(describe(attendeeId))
				.isNotEmpty()
				.allSatisfy(HostileInputPropertyTests::assertPlainId);
		}
		catch (InvalidParameter ex) {
			assertThat(ex.parameter()).as(describe(attendeeId)).isEqualTo("attendee_id");
		}
	}

	/** Independent of the parser's own check: an explicit description of a plain id. */
	private static void assertPlainId(String id) {
		assertThat(id).matches("[A-Za-z0-9\\-_.:@+=]{1,256}").matches(".*[A-Za-z0-9].*").isNotIn(".", "..");
	}

	private static String lenientlyDecoded(String raw) {
		try {
			return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			return raw;
		}
	}

	private static String describe(String input) {
		return "input " + input.replace("\r", "\\r").replace("\n", "\\n") + " (seed " + HostileInputs.SEED + ")";
	}

}
