package dev.chatproxy.webhooks;

import java.util.LinkedHashSet;
import java.util.Set;

import dev.chatproxy.cache.Invalidation;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A postpress message event (Unipile's format) that changes chat lists, and the pages it
 * touches: those asked for its sender or attendees, by either id, and those listing its
 * chat.
 *
 * @param name the event, such as {@code message_received}
 * @param invalidation the pages it touches
 */
record MessageEvent(String name, Invalidation invalidation) {

	/** The events that change a chat's place, timestamp or unread count in a list. */
	static final Set<String> NAMES = Set.of("message_received", "message_read", "message_reaction", "message_edited",
			"message_deleted");

	private static final String SOURCE = "webhook";

	/**
	 * Reads the event; other events, and fields it does not know, are ignored.
	 * @param event the webhook's JSON object
	 * @return the event, or {@code null} when it is not one that changes chat lists
	 */
	static @Nullable MessageEvent of(JsonNode event) {
		String name = string(event.get("event"));
		if (name == null || !NAMES.contains(name)) {
			return null;
		}
		Set<String> attendeeIds = new LinkedHashSet<>();
		addAttendee(event.get("sender"), attendeeIds);
		JsonNode attendees = event.get("attendees");
		if (attendees != null && attendees.isArray()) {
			attendees.values().forEach((attendee) -> addAttendee(attendee, attendeeIds));
		}
		String chatId = string(event.get("chat_id"));
		Set<String> chatIds = (chatId != null) ? Set.of(chatId) : Set.of();
		Invalidation.Cause cause = new Invalidation.Cause(name, string(event.get("account_id")),
				System.currentTimeMillis());
		return new MessageEvent(name, new Invalidation(attendeeIds, chatIds, Set.of(), SOURCE, cause));
	}

	private static void addAttendee(@Nullable JsonNode attendee, Set<String> attendeeIds) {
		if (attendee == null || !attendee.isObject()) {
			return;
		}
		for (String field : new String[] { "attendee_id", "attendee_provider_id" }) {
			String id = string(attendee.get(field));
			if (id != null) {
				attendeeIds.add(id);
			}
		}
	}

	private static @Nullable String string(@Nullable JsonNode node) {
		return (node != null && node.isString() && !node.stringValue().isBlank()) ? node.stringValue().trim() : null;
	}

}
