package dev.chatproxy.chats;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.chatproxy.cache.PageKey;
import dev.chatproxy.upstream.ChatsQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The input rules of CONTRACT.md section 1, case by case, without a server: each row is a
 * request's attendee path segment and query string, and what the parser makes of it.
 */
class ChatsQueryParserTests {

	@ParameterizedTest(name = "{0} ? {1} -> {2}")
	@CsvSource(delimiter = '|', nullValues = "-",
			textBlock = """
					att_1                         | -                                         | attendee_id=att_1&limit=100
					b,a,b                         | -                                         | attendee_id=a,b&limit=100
					' a , b '                     | -                                         | attendee_id=a,b&limit=100
					ACoAACr-1eYBl                 | limit=1                                   | attendee_id=ACoAACr-1eYBl&limit=1
					33612345678@s.whatsapp.net    | limit=250                                 | attendee_id=33612345678@s.whatsapp.net&limit=250
					a:b+c=d.e_f-g                 | account_id=acc_2,acc_1,acc_2              | attendee_id=a:b+c=d.e_f-g&limit=100&account_id=acc_1,acc_2
					a                             | cursor=eyJvIjoxMDB9+/=                    | attendee_id=a&cursor=eyJvIjoxMDB9+/=&limit=100
					a                             | before=2026-05-16T18:24:11.000Z           | attendee_id=a&before=2026-05-16T18:24:11.000Z&limit=100
					a                             | after=2026-01-01T00:00:00.000Z&before=2026-01-01T00:00:00.001Z | attendee_id=a&before=2026-01-01T00:00:00.001Z&after=2026-01-01T00:00:00.000Z&limit=100
					a                             | limit=007                                 | attendee_id=a&limit=7
					""")
	void parsesValidInputIntoItsCanonicalQuery(String attendeeId, String query, String cacheKey) {
		ChatsQuery parsed = ChatsQueryParser.parse(attendeeId, parameters(query));

		assertThat(PageKey.of(parsed).value()).isEqualTo(cacheKey);
	}

	@ParameterizedTest(name = "{0} ? {1} -> 400 naming {2}")
	@CsvSource(delimiter = '|', nullValues = "-", textBlock = """
			a b                 | -                                                          | attendee_id
			a,,b                | -                                                          | attendee_id
			''                  | -                                                          | attendee_id
			<script>            | -                                                          | attendee_id
			a/b                 | -                                                          | attendee_id
			a;b                 | -                                                          | attendee_id
			a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u | -                                    | attendee_id
			a                   | cursor=                                                    | cursor
			a                   | before=2026-05-16                                          | before
			a                   | before=2026-05-16T18:24:11Z                                | before
			a                   | before=2026-05-16T18:24:11.000+01:00                       | before
			a                   | after=2026-02-30T00:00:00.000Z                             | after
			a                   | before=2026-01-01T00:00:00.000Z&after=2026-01-01T00:00:00.000Z | after
			a                   | before=2026-01-01T00:00:00.000Z&after=2026-06-01T00:00:00.000Z | after
			a                   | limit=0                                                    | limit
			a                   | limit=251                                                  | limit
			a                   | limit=ten                                                  | limit
			a                   | limit=-5                                                   | limit
			a                   | limit=                                                     | limit
			a                   | limit=1000                                                 | limit
			a                   | account_id=                                                | account_id
			a                   | account_id=x;y                                             | account_id
			a                   | accountId=acc_1                                            | accountId
			a                   | limit=10&limit=20                                          | limit
			a                   | cursor=a&cursor=b                                          | cursor
			""")
	void rejectsInvalidInputNamingTheParameter(String attendeeId, String query, String parameter) {
		InvalidParameter rejection = catchThrowableOfType(InvalidParameter.class,
				() -> ChatsQueryParser.parse(attendeeId, parameters(query)));

		assertThat(rejection).as("rejected").isNotNull();
		assertThat(rejection.parameter()).isEqualTo(parameter);
		assertThat(rejection.getStatusCode().value()).isEqualTo(400);
		assertThat(rejection.getBody().getType()).hasToString("errors/invalid_parameters");
		assertThat(rejection.getBody().getDetail()).contains(parameter);
	}

	@Test
	void acceptsTheLongestValidInput() {
		String ids = String.join(",", java.util.Collections.nCopies(20, "a".repeat(256)));
		Map<String, String[]> parameters = Map.of("cursor", new String[] { "c".repeat(2048) }, "account_id",
				new String[] { "b,".repeat(49) + "b" }, "limit", new String[] { "250" });

		ChatsQuery query = ChatsQueryParser.parse(ids, parameters);

		assertThat(query.attendeeIds()).containsExactly("a".repeat(256));
		assertThat(query.accountIds()).containsExactly("b");
		assertThat(query.limit()).isEqualTo(250);
	}

	@Test
	void rejectsWhatIsOneCharacterOrIdTooLong() {
		assertThat(rejectedParameter("a".repeat(257), Map.of())).isEqualTo("attendee_id");
		assertThat(rejectedParameter("a", Map.of("cursor", new String[] { "c".repeat(2049) }))).isEqualTo("cursor");
		assertThat(rejectedParameter("a", Map.of("account_id", new String[] { "b,".repeat(50) + "b" })))
			.isEqualTo("account_id");
	}

	@Test
	void keepsAnUnknownParameterNameShortAndPrintableInTheDetail() {
		InvalidParameter rejection = catchThrowableOfType(InvalidParameter.class,
				() -> ChatsQueryParser.parse("a", Map.of("x\u0000".repeat(100), new String[] { "1" })));

		assertThat(rejection.getBody().getDetail()).doesNotContain("\u0000").contains("x?x?").hasSizeLessThan(200);
	}

	private static String rejectedParameter(String attendeeId, Map<String, String[]> parameters) {
		return catchThrowableOfType(InvalidParameter.class, () -> ChatsQueryParser.parse(attendeeId, parameters))
			.parameter();
	}

	/**
	 * A query string as the servlet container hands it over: values by name, in order.
	 */
	private static Map<String, String[]> parameters(String query) {
		Map<String, List<String>> values = new LinkedHashMap<>();
		if (query != null) {
			for (String pair : query.split("&")) {
				int equals = pair.indexOf('=');
				values.computeIfAbsent(pair.substring(0, equals), (name) -> new java.util.ArrayList<>())
					.add(pair.substring(equals + 1));
			}
		}
		Map<String, String[]> parameters = new LinkedHashMap<>();
		values.forEach((name, list) -> parameters.put(name, list.toArray(String[]::new)));
		return parameters;
	}

}
