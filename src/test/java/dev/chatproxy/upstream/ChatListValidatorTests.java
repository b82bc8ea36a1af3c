package dev.chatproxy.upstream;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import dev.chatproxy.support.Postpress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The streaming check of a 200 body: what postpress may send and still be served, the ids
 * it reads on the way for the cache, and every broken shape that must become a 502.
 */
class ChatListValidatorTests {

	private static final String CHAT = """
			{"object":"Chat","id":"c1","account_id":"a1","account_type":"LINKEDIN","name":null,\
			"type":0,"muted_until":-1,"folder":["INBOX"]}""";

	private final ChatListValidator validator = new ChatListValidator(
			JsonMapper.builder().build().tokenStreamFactory());

	@ParameterizedTest(name = "{0}")
	@MethodSource("validPages")
	void acceptsAPageWithTheSeedsShape(String description, String body) {
		assertThat(this.validator.read(bytes(body))).isNotNull();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("brokenPages")
	void rejectsABodyThatIsNotAChatList(String description, String body) {
		assertThat(this.validator.read(bytes(body))).isNull();
	}

	@Test
	void readsTheIdAndAccountIdOfEveryItemInTheSamePass() {
		String json = Postpress.pageJson(3, "next").replaceFirst("acc_1", "acc_2");

		ChatList page = this.validator.read(bytes(json));

		assertThat(page).isNotNull();
		assertThat(page.body()).isEqualTo(bytes(json));
		assertThat(page.chatIds()).containsExactlyInAnyOrder("chat_0", "chat_1", "chat_2");
		assertThat(page.accountIds()).containsExactlyInAnyOrder("acc_1", "acc_2");
	}

	@Test
	void ignoresIdsOutsideTheItemsAndInsideNestedValues() {
		ChatList page = this.validator.read(
				bytes("""
						{"object":"ChatList","id":"not_a_chat","account_id":"not_an_account","cursor":null,
						 "items":[{"id":"chat_1","account_id":"acc_1","folder":["INBOX"],"extra":{"id":"nested","account_id":"n"},
						           "list":[{"id":"deeper"}]}]}"""));

		assertThat(page).isNotNull();
		assertThat(page.chatIds()).containsExactly("chat_1");
		assertThat(page.accountIds()).containsExactly("acc_1");
	}

	@Test
	void anEmptyPageListsNoIds() {
		ChatList page = ChatList.read(bytes(page("[]", "null")));

		assertThat(page).isNotNull();
		assertThat(page.chatIds()).isEmpty();
		assertThat(page.accountIds()).isEmpty();
	}

	static Stream<Arguments> validPages() {
		return Stream.of(Arguments.of("the test fake's page of 3 chats", Postpress.pageJson(3, "next")),
				Arguments.of("the last page, cursor null", page("[" + CHAT + "]", "null")),
				Arguments.of("no cursor at all", "{\"object\":\"ChatList\",\"items\":[" + CHAT + "]}"),
				Arguments.of("an empty page", page("[]", "null")),
				Arguments.of("fields in another order",
						"{\"cursor\":\"n\",\"items\":[" + CHAT + "],\"object\":\"ChatList\"}"),
				Arguments.of("an unknown top-level field with nested values",
						"{\"object\":\"ChatList\",\"total\":{\"a\":[1,{\"b\":null}]},\"items\":[],\"cursor\":null}"),
				Arguments.of("an unknown chat field and enum value",
						page("[{\"id\":\"c\",\"account_id\":\"a\",\"account_type\":\"NEW_PROVIDER\",\"x\":{\"id\":5}}]",
								"null")),
				Arguments.of("muted_until as a string",
						page("[{\"id\":\"c\",\"account_id\":\"a\",\"muted_until\":\"2026-01-01T00:00:00.000Z\"}]",
								"null")),
				Arguments.of("a typed field with an unexpected value type",
						page("[{\"id\":\"c\",\"account_id\":\"a\",\"type\":\"group\",\"unread_count\":null}]", "null")),
				Arguments.of("escaped characters in the ids",
						page("[{\"id\":\"c\\u00e9\\\"\",\"account_id\":\"a\\/b\"}]", "\"x\\ny\"")),
				Arguments.of("surrounding whitespace", "  \n" + page("[" + CHAT + "]", "null") + "\n  "));
	}

	static Stream<Arguments> brokenPages() {
		return Stream.of(Arguments.of("an empty body", ""), Arguments.of("JSON null", "null"),
				Arguments.of("an array", "[" + CHAT + "]"), Arguments.of("a string", "\"ChatList\""),
				Arguments.of("HTML", "<html>oops</html>"),
				Arguments.of("truncated JSON", "{\"object\":\"ChatList\",\"items\":["),
				Arguments.of("truncated inside a chat", "{\"object\":\"ChatList\",\"items\":[{\"id\":\"c\""),
				Arguments.of("another object type", "{\"object\":\"Chat\",\"id\":\"x\"}"),
				Arguments.of("object missing", "{\"items\":[],\"cursor\":null}"),
				Arguments.of("object not a string", "{\"object\":1,\"items\":[],\"cursor\":null}"),
				Arguments.of("object in another case", "{\"object\":\"chatlist\",\"items\":[],\"cursor\":null}"),
				Arguments.of("items missing", "{\"object\":\"ChatList\",\"cursor\":null}"),
				Arguments.of("items null", page("null", "null")), Arguments.of("items an object", page("{}", "null")),
				Arguments.of("items a string", page("\"[]\"", "null")),
				Arguments.of("an item null", page("[" + CHAT + ",null]", "null")),
				Arguments.of("an item a string", page("[\"c1\"]", "null")),
				Arguments.of("an item an array", page("[[]]", "null")),
				Arguments.of("an item without id", page("[{\"account_id\":\"a\"}]", "null")),
				Arguments.of("an item without account_id", page("[{\"id\":\"c\"}]", "null")),
				Arguments.of("an empty id", page("[{\"id\":\"\",\"account_id\":\"a\"}]", "null")),
				Arguments.of("an empty account_id", page("[{\"id\":\"c\",\"account_id\":\"\"}]", "null")),
				Arguments.of("an id null", page("[{\"id\":null,\"account_id\":\"a\"}]", "null")),
				Arguments.of("an id a number", page("[{\"id\":5,\"account_id\":\"a\"}]", "null")),
				Arguments.of("an account_id an object", page("[{\"id\":\"c\",\"account_id\":{}}]", "null")),
				Arguments.of("the only bad chat is the last of many",
						page("[" + CHAT + "," + CHAT + ",{\"foo\":1}]", "null")),
				Arguments.of("cursor a number", page("[]", "5")), Arguments.of("cursor an object", page("[]", "{}")),
				Arguments.of("cursor an array", page("[]", "[\"n\"]")),
				Arguments.of("a second document after the page", page("[]", "null") + "{}"),
				Arguments.of("garbage after the page", page("[]", "null") + "x"),
				Arguments.of("a syntax error in an unknown field",
						"{\"object\":\"ChatList\",\"x\":[1,,2],\"items\":[]}"),
				Arguments.of("a control character in a skipped string",
						"{\"object\":\"ChatList\",\"x\":\"a\u0001b\",\"items\":[]}"));
	}

	private static String page(String items, String cursor) {
		return "{\"object\":\"ChatList\",\"items\":" + items + ",\"cursor\":" + cursor + "}";
	}

	private static byte[] bytes(String body) {
		return body.getBytes(StandardCharsets.UTF_8);
	}

}
