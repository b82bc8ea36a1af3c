package dev.chatproxy.chats;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import dev.chatproxy.upstream.ChatsQuery;
import org.jspecify.annotations.Nullable;

/**
 * Validates a request's raw inputs into a {@link ChatsQuery}, or says which one is wrong.
 */
final class ChatsQueryParser {

	static final String ATTENDEE_ID = "attendee_id";

	private static final Set<String> PARAMETERS = Set.of("cursor", "before", "after", "limit", "account_id");

	private static final int MAX_ID_LENGTH = 256;

	private static final Pattern DATETIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");

	private static final Pattern LIMIT = Pattern.compile("\\d{1,3}");

	private static final int MAX_LIMIT = 250;

	private static final int MAX_CURSOR_LENGTH = 2048;

	private ChatsQueryParser() {
	}

	static ChatsQuery parse(String attendeeId, Map<String, String[]> parameters) {
		parameters.forEach((name, values) -> {
			if (!PARAMETERS.contains(name)) {
				throw new InvalidParameter(name, "Unknown query parameter '" + QueryString.printable(name)
						+ "'. Allowed: cursor, before, after, limit, account_id.");
			}
			if (values.length != 1) {
				throw new InvalidParameter(name,
						"Query parameter '" + QueryString.printable(name) + "' is given more than once.");
			}
		});
		List<String> attendeeIds = ids(ATTENDEE_ID, attendeeId, 20);
		String cursor = value(parameters, "cursor");
		if (cursor != null && (cursor.isEmpty() || cursor.length() > MAX_CURSOR_LENGTH)) {
			throw new InvalidParameter("cursor", "'cursor' must be 1 to 2048 characters long.");
		}
		Instant before = datetime(parameters, "before");
		Instant after = datetime(parameters, "after");
		if (before != null && after != null && !after.isBefore(before)) {
			throw new InvalidParameter("after", "'after' must be earlier than 'before'.");
		}
		String accountId = value(parameters, "account_id");
		List<String> accountIds = (accountId != null) ? ids("account_id", accountId, 50) : List.of();
		return new ChatsQuery(attendeeIds, cursor, value(parameters, "before"), value(parameters, "after"),
				limit(value(parameters, "limit")), accountIds);
	}

	private static List<String> ids(String name, String value, int max) {
		List<String> given = (value.indexOf(',') < 0) ? List.of(value) : Arrays.asList(value.split(",", -1));
		if (given.size() > max) {
			throw new InvalidParameter(name, "'" + name + "' takes at most " + max + " ids.");
		}
		// canonical first (trimmed of spaces only: a control character around an id is
		// an error, not padding), so that what is checked is what is asked for
		List<String> ids = ChatsQuery.canonicalIds(given);
		for (String id : ids) {
			if (!isId(id)) {
				throw new InvalidParameter(name, "'" + name + "' must be a comma-separated list of ids, "
						+ "each 1 to 256 letters, digits or -_.:@+=, with at least one letter or digit");
			}
		}
		return ids;
	}

	/**
	 * Whether the text is an id: 1 to 256 of the allowed characters, at least one a
	 * letter or digit, so that no id is a dot segment ({@code .} or {@code ..}) however
	 * it was encoded on the way in.
	 */
	static boolean isId(String id) {
		if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
			return false;
		}
		boolean letterOrDigit = false;
		for (int i = 0; i < id.length(); i++) {
			char c = id.charAt(i);
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
				letterOrDigit = true;
			}
			else if ("-_.:@+=".indexOf(c) < 0) {
				return false;
			}
		}
		return letterOrDigit;
	}

	private static @Nullable Instant datetime(Map<String, String[]> parameters, String name) {
		String value = value(parameters, name);
		if (value == null) {
			return null;
		}
		if (DATETIME.matcher(value).matches()) {
			try {
				return Instant.parse(value);
			}
			catch (DateTimeParseException ex) {
				// an impossible date such as 2026-02-30: rejected below
			}
		}
		throw new InvalidParameter(name, "'" + name + "' must be a UTC datetime formatted YYYY-MM-DDTHH:MM:SS.sssZ.");
	}

	private static int limit(@Nullable String value) {
		if (value == null) {
			return ChatsQuery.DEFAULT_LIMIT;
		}
		if (LIMIT.matcher(value).matches()) {
			int limit = Integer.parseInt(value);
			if (limit >= 1 && limit <= MAX_LIMIT) {
				return limit;
			}
		}
		throw new InvalidParameter("limit", "'limit' must be an integer from 1 to 250.");
	}

	private static @Nullable String value(Map<String, String[]> parameters, String name) {
		String[] values = parameters.get(name);
		return (values != null) ? values[0] : null;
	}

}
