package dev.chatproxy.upstream;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A validated, canonical request for one page of an attendee's chats: ids trimmed of
 * spaces, de-duplicated and sorted, {@code limit} filled in. Two requests that mean the
 * same thing are equal, and have the same {@link #parameters()}.
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

	/** The name of the attendee ids among the {@link #parameters()}: a path variable. */
	public static final String ATTENDEE_ID = "attendee_id";

	public ChatsQuery {
		attendeeIds = canonicalIds(attendeeIds);
		accountIds = canonicalIds(accountIds);
	}

	/**
	 * The one canonical form of a list of ids, wherever they come from (a request, a
	 * token): each trimmed of spaces (only spaces: a control character is part of the id,
	 * and fails validation), then de-duplicated and sorted.
	 * @param ids the ids as given
	 * @return the canonical ids
	 */
	public static List<String> canonicalIds(List<String> ids) {
		// one id, the common case, without a stream (it is on every cache hit's path)
		return switch (ids.size()) {
			case 0 -> List.of();
			case 1 -> List.of(trimSpaces(ids.get(0)));
			default -> ids.stream().map(ChatsQuery::trimSpaces).distinct().sorted().toList();
		};
	}

	private static String trimSpaces(String id) {
		int start = 0;
		int end = id.length();
		while (start < end && id.charAt(start) == ' ') {
			start++;
		}
		while (end > start && id.charAt(end - 1) == ' ') {
			end--;
		}
		return id.substring(start, end);
	}

	/**
	 * The query's one serialisation, which both the cache key and postpress' URI are made
	 * of: every parameter given, by its postpress name, in a fixed order
	 * ({@code attendee_id}, {@code cursor}, {@code before}, {@code after}, {@code limit},
	 * {@code account_id}), each value as sent upstream (ids joined by {@code ,}), not
	 * encoded: each use encodes it its own way.
	 * @return the parameters, in order
	 */
	public Map<String, String> parameters() {
		Map<String, String> parameters = new LinkedHashMap<>(8);
		parameters.put(ATTENDEE_ID, String.join(",", this.attendeeIds));
		putIfPresent(parameters, "cursor", this.cursor);
		putIfPresent(parameters, "before", this.before);
		putIfPresent(parameters, "after", this.after);
		parameters.put("limit", Integer.toString(this.limit));
		if (!this.accountIds.isEmpty()) {
			parameters.put("account_id", String.join(",", this.accountIds));
		}
		return Collections.unmodifiableMap(parameters);
	}

	private static void putIfPresent(Map<String, String> parameters, String name, @Nullable String value) {
		if (value != null) {
			parameters.put(name, value);
		}
	}

}
