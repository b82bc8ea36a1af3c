package dev.chatproxy.upstream;

import java.util.Set;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.json.JsonFactory;

/**
 * A 200 body that is a {@code ChatList}, exactly as postpress sent it, with the ids its
 * one streaming check read on the way: what the cache stores and indexes it by.
 *
 * @param body the page's JSON, bytes unchanged
 * @param chatIds the {@code id} of every chat the page lists
 * @param accountIds the {@code account_id} of every chat the page lists
 */
public record ChatList(byte[] body, Set<String> chatIds, Set<String> accountIds) {

	private static final ChatListValidator VALIDATOR = new ChatListValidator(new JsonFactory());

	public ChatList {
		chatIds = Set.copyOf(chatIds);
		accountIds = Set.copyOf(accountIds);
	}

	/**
	 * Checks a body and reads its ids in one pass, as the client does with each 200.
	 * @param body the bytes of a page
	 * @return the page, or {@code null} when the body is not a {@code ChatList}
	 */
	public static @Nullable ChatList read(byte[] body) {
		return VALIDATOR.read(body);
	}

}
