package dev.chatproxy.cache;

import dev.chatproxy.upstream.ChatList;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import dev.chatproxy.support.Postpress;
import dev.chatproxy.upstream.ChatsQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link Invalidation#touches}: which pages an event or an operator marks
 * stale.
 */
class InvalidationTests {

	/** Asked for attendees a and b of account acc_9; lists chat_0 and chat_1 of acc_1. */
	private static final PageKey KEY = PageKey
		.of(new ChatsQuery(List.of("b", "a"), null, null, null, 100, List.of("acc_9")));

	private static final CachedPage PAGE = CachedPage
		.of(ChatList.read(Postpress.pageJson(2, null).getBytes(StandardCharsets.UTF_8)), 0, 30);

	@ParameterizedTest
	@CsvSource(delimiter = '|', nullValues = "-", textBlock = """
			a       | -       | -      | true
			b,z     | -       | -      | true
			A       | -       | -      | false
			z       | -       | -      | false
			-       | chat_1  | -      | true
			-       | chat_9  | -      | false
			-       | -       | acc_1  | true
			-       | -       | acc_9  | true
			-       | -       | acc_2  | false
			z       | chat_9  | acc_2  | false
			z       | chat_0  | acc_2  | true
			""")
	void touchesPagesAskedForItsAttendeesOrAccountsOrListingItsChatsOrAccounts(String attendees, String chats,
			String accounts, boolean touches) {
		Invalidation invalidation = new Invalidation(ids(attendees), ids(chats), ids(accounts), "operator");

		assertThat(invalidation.touches(KEY, PAGE)).isEqualTo(touches);
	}

	@Test
	void invalidationThatNamesNothingIsEmptyAndTouchesNothing() {
		Invalidation nothing = new Invalidation(Set.of(), Set.of(), Set.of(), "operator");

		assertThat(nothing.isEmpty()).isTrue();
		assertThat(nothing.touches(KEY, PAGE)).isFalse();
	}

	@Test
	void pageKeyHoldsTheCanonicalIdsAndTheReadableKeyOfTheQuery() {
		assertThat(KEY.attendeeIds()).containsExactly("a", "b");
		assertThat(KEY.accountIds()).containsExactly("acc_9");
		assertThat(KEY.value()).isEqualTo("attendee_id=a,b&limit=100&account_id=acc_9");
		assertThat(PageKey.of(new ChatsQuery(List.of(" a", "b", "a"), null, null, null, 100, List.of("acc_9"))))
			.isEqualTo(KEY);
	}

	private static Set<String> ids(String ids) {
		return (ids != null) ? Set.of(ids.split(",")) : Set.of();
	}

}
