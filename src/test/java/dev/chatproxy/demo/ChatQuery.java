package dev.chatproxy.demo;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A validated list-chats request, with the opaque cursor that continues it.
 * <p>
 * A cursor is base64url of {@code {"o":<offset>,"q":"<query hash>"}}: the hash covers the
 * attendee ids, {@code account_id}, {@code before} and {@code after} (not {@code limit}),
 * so a cursor replayed with other filters is rejected rather than silently paging through
 * another result.
 *
 * @param attendeeIds the attendee ids, sorted and de-duplicated
 * @param accountIds the accounts to restrict to, empty for all
 * @param before only chats created strictly before, or {@code null}
 * @param after only chats created strictly after, or {@code null}
 * @param limit the page size
 * @param offset where the page starts
 */
record ChatQuery(Set<String> attendeeIds, Set<String> accountIds, Instant before, Instant after, int limit,
		int offset) {

	private static final Set<String> PARAMETERS = Set.of("cursor", "before", "after", "limit", "account_id");

	private static final Pattern ID = Pattern.compile("[A-Za-z0-9\\-_.:@+=]{1,256}");

	private static final Pattern TIMESTAMP = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");

	private static final Pattern CURSOR = Pattern.compile("\\{\"o\":(\\d{1,9}),\"q\":\"([0-9a-f]{1,8})\"}");

	/**
	 * Parses a request.
	 * @param rawAttendeeIds the raw (percent-encoded) {@code attendee_id} path segment
	 * @param rawQuery the raw query string, may be {@code null}
	 * @return the query
	 * @throws ProblemException when the request is not valid
	 */
	static ChatQuery parse(String rawAttendeeIds, String rawQuery) {
		Set<String> attendeeIds = new TreeSet<>();
		for (String id : PercentDecoding.decode(rawAttendeeIds).split(",", -1)) {
			if (!ID.matcher(id).matches()) {
				throw new ProblemException(Problem.INVALID_RESOURCE_IDENTIFIER,
						"'" + id + "' is not a valid attendee id");
			}
			attendeeIds.add(id);
		}
		Map<String, String> parameters = PercentDecoding.queryParameters(rawQuery);
		parameters.keySet().stream().filter((name) -> !PARAMETERS.contains(name)).findFirst().ifPresent((name) -> {
			throw invalid(name + " is not a known parameter");
		});
		Set<String> accountIds = accountIds(parameters.get("account_id"));
		Instant before = timestamp("before", parameters.get("before"));
		Instant after = timestamp("after", parameters.get("after"));
		int limit = limit(parameters.get("limit"));
		ChatQuery query = new ChatQuery(attendeeIds, accountIds, before, after, limit, 0);
		String cursor = parameters.get("cursor");
		return (cursor != null) ? query.at(query.offsetOf(cursor)) : query;
	}

	boolean includes(SimulatedChat chat) {
		return (this.accountIds.isEmpty() || this.accountIds.contains(chat.accountId()))
				&& (this.before == null || chat.createdAt().isBefore(this.before))
				&& (this.after == null || chat.createdAt().isAfter(this.after));
	}

	/**
	 * The cursor of the page that starts at an offset.
	 * @param offset the offset of the next page
	 * @return the cursor
	 */
	String cursorAt(int offset) {
		String json = "{\"o\":" + offset + ",\"q\":\"" + hash() + "\"}";
		return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
	}

	private ChatQuery at(int offset) {
		return new ChatQuery(this.attendeeIds, this.accountIds, this.before, this.after, this.limit, offset);
	}

	private int offsetOf(String cursor) {
		Matcher matcher;
		try {
			matcher = CURSOR.matcher(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
		}
		catch (IllegalArgumentException ex) {
			throw invalid("cursor is not a cursor this API returned");
		}
		if (!matcher.matches()) {
			throw invalid("cursor is not a cursor this API returned");
		}
		if (!matcher.group(2).equals(hash())) {
			throw invalid("cursor belongs to another query: repeat the attendee_id, account_id, before and after "
					+ "of the request that returned it");
		}
		return Integer.parseInt(matcher.group(1));
	}

	private String hash() {
		return Integer.toHexString(
				List.of(this.attendeeIds, this.accountIds, String.valueOf(this.before), String.valueOf(this.after))
					.hashCode());
	}

	private static Set<String> accountIds(String value) {
		Set<String> accountIds = new TreeSet<>();
		if (value != null) {
			Arrays.stream(value.split(",", -1)).forEach((id) -> {
				if (!ID.matcher(id).matches()) {
					throw invalid("account_id '" + id + "' is not a valid account id");
				}
				accountIds.add(id);
			});
		}
		return accountIds;
	}

	private static Instant timestamp(String name, String value) {
		if (value == null) {
			return null;
		}
		try {
			if (TIMESTAMP.matcher(value).matches()) {
				return Instant.parse(value);
			}
		}
		catch (DateTimeParseException ex) {
			// reported below
		}
		throw invalid(name + " must be a UTC datetime YYYY-MM-DDTHH:MM:SS.sssZ");
	}

	private static int limit(String value) {
		if (value == null) {
			return 100;
		}
		if (!value.matches("\\d{1,3}") || Integer.parseInt(value) < 1 || Integer.parseInt(value) > 250) {
			throw invalid("limit must be an integer between 1 and 250");
		}
		return Integer.parseInt(value);
	}

	private static ProblemException invalid(String detail) {
		return new ProblemException(Problem.INVALID_PARAMETERS, detail);
	}

}
