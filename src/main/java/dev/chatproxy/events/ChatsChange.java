package dev.chatproxy.events;

import java.util.Set;
import java.util.TreeSet;

import dev.chatproxy.cache.Invalidation;
import org.jspecify.annotations.Nullable;

/**
 * One change of chat lists as streams tell it: ids only, never anything of a message.
 *
 * @param attendeeIds the attendees it concerns, sorted
 * @param accountId the account it belongs to, when known
 * @param chatId the chat it concerns, when one
 * @param reason the webhook's event name, or {@code operator}
 * @param accountIds every account it names, to scope streams by
 * @param receivedAtMillis when its webhook or operator call arrived, epoch milliseconds
 */
record ChatsChange(Set<String> attendeeIds, @Nullable String accountId, @Nullable String chatId, String reason,
		Set<String> accountIds, long receivedAtMillis) {

	static ChatsChange of(Invalidation invalidation, Set<String> attendeeIds) {
		Invalidation.Cause cause = invalidation.cause();
		Set<String> accounts = new TreeSet<>(invalidation.accountIds());
		String accountId = (cause != null) ? cause.accountId() : null;
		if (accountId != null) {
			accounts.add(accountId);
		}
		else if (accounts.size() == 1) {
			accountId = accounts.iterator().next();
		}
		String chatId = (invalidation.chatIds().size() == 1) ? invalidation.chatIds().iterator().next() : null;
		return new ChatsChange(new TreeSet<>(attendeeIds), accountId, chatId,
				(cause != null) ? cause.reason() : invalidation.source(), Set.copyOf(accounts),
				(cause != null) ? cause.receivedAtMillis() : System.currentTimeMillis());
	}

	/**
	 * The same change, told to fewer attendees.
	 * @param attendees the attendees to tell
	 * @return the change for them
	 */
	ChatsChange to(Set<String> attendees) {
		return new ChatsChange(new TreeSet<>(attendees), this.accountId, this.chatId, this.reason, this.accountIds,
				this.receivedAtMillis);
	}

	/**
	 * The event's data, as CONTRACT.md section 13 spells it.
	 * @return a JSON object
	 */
	String json() {
		StringBuilder json = new StringBuilder("{\"attendee_ids\":[");
		int i = 0;
		for (String id : this.attendeeIds) {
			json.append((i++ > 0) ? "," : "");
			string(json, id);
		}
		json.append("],\"account_id\":");
		string(json, this.accountId);
		json.append(",\"chat_id\":");
		string(json, this.chatId);
		json.append(",\"reason\":");
		string(json, this.reason);
		return json.append('}').toString();
	}

	static void string(StringBuilder json, @Nullable String value) {
		if (value == null) {
			json.append("null");
			return;
		}
		json.append('"');
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c == '"' || c == '\\') {
				json.append('\\').append(c);
			}
			else if (c < 0x20 || c == 0x2028 || c == 0x2029) {
				json.append(String.format("\\u%04x", (int) c));
			}
			else {
				json.append(c);
			}
		}
		json.append('"');
	}

}
