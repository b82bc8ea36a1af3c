package dev.chatproxy.cache;

import java.util.List;

import dev.chatproxy.upstream.ChatsQuery;
import org.jspecify.annotations.Nullable;

/**
 * The canonical request a page answers; equal for requests that mean the same thing.
 *
 * @param value a readable text of the canonical request, the key of the cache
 * @param attendeeIds the attendee ids asked for, trimmed, de-duplicated and sorted
 * @param accountIds the account ids asked for, trimmed, de-duplicated and sorted
 */
public record PageKey(String value, List<String> attendeeIds, List<String> accountIds) {

	public PageKey {
		attendeeIds = List.copyOf(attendeeIds);
		accountIds = List.copyOf(accountIds);
	}

	/**
	 * The key of the page that answers the query.
	 * @param query a validated, canonical query
	 * @return its key
	 */
	public static PageKey of(ChatsQuery query) {
		StringBuilder key = new StringBuilder("attendee_id=").append(String.join(",", query.attendeeIds()));
		key.append("&limit=").append(query.limit());
		if (!query.accountIds().isEmpty()) {
			key.append("&account_id=").append(String.join(",", query.accountIds()));
		}
		append(key, "after", query.after());
		append(key, "before", query.before());
		append(key, "cursor", query.cursor());
		return new PageKey(key.toString(), query.attendeeIds(), query.accountIds());
	}

	private static void append(StringBuilder key, String name, @Nullable String value) {
		if (value != null) {
			key.append('&').append(name).append('=').append(value);
		}
	}

}
