package dev.chatproxy.cache;

import java.nio.charset.StandardCharsets;

import dev.chatproxy.support.Postpress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CachedPage}: the ids a page is indexed by, and invalidation of its
 * freshness.
 */
class CachedPageTests {

	@Test
	void readsTheIdAndAccountIdOfEveryItem() {
		String json = Postpress.pageJson(3, "next").replaceFirst("acc_1", "acc_2");

		CachedPage page = page(json);

		assertThat(page.chatIds()).containsExactlyInAnyOrder("chat_0", "chat_1", "chat_2");
		assertThat(page.accountIds()).containsExactlyInAnyOrder("acc_1", "acc_2");
	}

	@Test
	void ignoresIdsOutsideTheItemsAndInsideNestedValues() {
		CachedPage page = page(
				"""
						{"object":"ChatList","id":"not_a_chat","account_id":"not_an_account","cursor":null,
						 "items":[{"id":"chat_1","account_id":"acc_1","folder":["INBOX"],"extra":{"id":"nested","account_id":"n"},
						           "list":[{"id":"deeper"}]},
						          {"id":42,"account_id":null}]}""");

		assertThat(page.chatIds()).containsExactly("chat_1");
		assertThat(page.accountIds()).containsExactly("acc_1");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			not json
			{"items":
			[]
			{"items":{"id":"x"}}
			{"object":"ChatList","items":[],"cursor":null}
			""")
	void bodyWithoutAListOfChatsYieldsNoIds(String json) {
		CachedPage page = page(json);

		assertThat(page.chatIds()).isEmpty();
		assertThat(page.accountIds()).isEmpty();
		assertThat(page.etag()).startsWith("\"").endsWith("\"");
	}

	@Test
	void equalBodiesHaveEqualEtagsAndDifferentBodiesDifferentOnes() {
		assertThat(page(Postpress.pageJson(1, null)).etag()).isEqualTo(page(Postpress.pageJson(1, null)).etag());
		assertThat(page(Postpress.pageJson(1, null)).etag()).isNotEqualTo(page(Postpress.pageJson(2, null)).etag());
	}

	@Test
	void invalidatedEndsFreshnessNowAndNeverExtendsIt() {
		CachedPage page = CachedPage.of(bytes(Postpress.pageJson(1, null)), 100, 130);

		CachedPage invalidated = page.invalidated(110);

		assertThat(invalidated.freshUntilNanos()).isEqualTo(110);
		assertThat(invalidated.isFreshAt(110)).isFalse();
		assertThat(invalidated.storedAtNanos()).isEqualTo(100);
		assertThat(invalidated.etag()).isEqualTo(page.etag());
		assertThat(invalidated.chatIds()).isEqualTo(page.chatIds());
		assertThat(page.invalidated(200)).isSameAs(page);
		assertThat(page.isFreshAt(129)).isTrue();
		assertThat(page.isFreshAt(130)).isFalse();
	}

	private static CachedPage page(String json) {
		return CachedPage.of(bytes(json), 0, 30);
	}

	private static byte[] bytes(String json) {
		return json.getBytes(StandardCharsets.UTF_8);
	}

}
