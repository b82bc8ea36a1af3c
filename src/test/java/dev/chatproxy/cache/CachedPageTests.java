package dev.chatproxy.cache;

import java.nio.charset.StandardCharsets;

import java.util.Set;

import dev.chatproxy.support.Postpress;
import dev.chatproxy.upstream.ChatList;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CachedPage}: its entity tag, the ids it is indexed by (read by the
 * client's one pass over the body, see {@code ChatListValidatorTests}), and invalidation
 * of its freshness.
 */
class CachedPageTests {

	@Test
	void keepsTheIdsItsPageWasReadWith() {
		CachedPage page = CachedPage.of(new ChatList(bytes("{}"), Set.of("chat_1"), Set.of("acc_1")), 0, 30);

		assertThat(page.chatIds()).containsExactly("chat_1");
		assertThat(page.accountIds()).containsExactly("acc_1");
		assertThat(page.etag()).startsWith("\"").endsWith("\"");
	}

	@Test
	void equalBodiesHaveEqualEtagsAndDifferentBodiesDifferentOnes() {
		assertThat(page(Postpress.pageJson(1, null)).etag()).isEqualTo(page(Postpress.pageJson(1, null)).etag());
		assertThat(page(Postpress.pageJson(1, null)).etag()).isNotEqualTo(page(Postpress.pageJson(2, null)).etag());
	}

	@Test
	void invalidatedEndsFreshnessNowAndNeverExtendsIt() {
		CachedPage page = CachedPage.of(ChatList.read(bytes(Postpress.pageJson(1, null))), 100, 130);

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
		return CachedPage.of(ChatList.read(bytes(json)), 0, 30);
	}

	private static byte[] bytes(String json) {
		return json.getBytes(StandardCharsets.UTF_8);
	}

}
