package dev.chatproxy.upstream;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A validated, canonical request for one page of an attendee's chats: ids trimmed,
 * de-duplicated and sorted, {@code limit} filled in. Two requests that mean the same
 * thing are equal.
 *
 * @param attendeeIds one or more attendee ids
 * @param cursor the pagination cursor, as the caller sent it
 * @param before only chats created strictly before this UTC datetime
 * @param after only chats created strictly after this UTC datetime
 * @param limit maximum number of chats in the page
 * @param accountIds only chats of these accounts, when not empty
 */
public record ChatsQuery(List<String> attendeeIds, @Nullable String cursor, @Nullable String before,
		@Nullable String after, int limit, List<String> accountIds) {

	/** The page size postpress uses when none is given. */
	public static final int DEFAULT_LIMIT = 100;

	public ChatsQuery {
		attendeeIds = canonical(attendeeIds);
		accountIds = canonical(accountIds);
	}

	private static List<String> canonical(List<String> ids) {
		// one id, the common case, without a stream (it is on every cache hit's path)
		return switch (ids.size()) {
			case 0 -> List.of();
			case 1 -> List.of(ids.get(0).trim());
			default -> ids.stream().map(String::trim).distinct().sorted().toList();
		};
	}

}
