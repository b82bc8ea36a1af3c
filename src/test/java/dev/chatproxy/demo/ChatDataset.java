package dev.chatproxy.demo;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * The simulator's fixed dataset: four attendees (two also reachable by a provider id)
 * with 482 chats over a LinkedIn, a WhatsApp and a Telegram account. Generated from a
 * fixed seed, so every run serves exactly the same chats, until a message is
 * {@linkplain #receiveMessage received} on one of them.
 */
final class ChatDataset {

	private static final Pattern UNREAD_COUNT = Pattern.compile("\"unread_count\":(\\d+)");

	private static final Pattern TIMESTAMP = Pattern.compile("\"timestamp\":(null|\"[^\"]*\")");

	static final Account LINKEDIN = new Account("acc_01HXYZ4QK3WJ8FN3M6QH7TZ8GR", "LINKEDIN");

	static final Account WHATSAPP = new Account("acc_01HY2M6J8N4P0Q7R3S5T9V1W2X", "WHATSAPP");

	static final Account TELEGRAM = new Account("acc_01HZ8C3D5E7F9G1H2J4K6M8N0P", "TELEGRAM");

	/** Jordan Walke, the seed page's example attendee. */
	static final String JORDAN = "att_01HXYZ4QK3WJ8FN3M6QH7TZ8GR";

	/** Jordan's LinkedIn provider id: Jordan's LinkedIn chats. */
	static final String JORDAN_ON_LINKEDIN = "ACoAACr-1eYBlq7Xw3nZ0pT9sK4uVb8hJm2";

	/** Ana Souza. */
	static final String ANA = "att_01HY7R2D9K5M3N8P4Q6S1T0V2W";

	/** Ana's WhatsApp provider id: Ana's WhatsApp chats. */
	static final String ANA_ON_WHATSAPP = "33612345678@s.whatsapp.net";

	/** Mei Chen. */
	static final String MEI = "att_01J0A4B6C8D2E5F7G9H1J3K5M7";

	/** Sam Martin, whose chats fit on one page. */
	static final String SAM = "att_01J1B3C5D7E9F2G4H6J8K0M2N4";

	private final Map<String, List<SimulatedChat>> chatsByAttendee = new HashMap<>();

	/** Provider id to the attendee it stands for, for the attendees of webhook events. */
	private final Map<String, String> aliases = new HashMap<>();

	/** Chats changed by received messages, by id, over the generated ones. */
	private final Map<String, SimulatedChat> changed = new ConcurrentHashMap<>();

	private ChatDataset() {
		ChatGenerator generator = new ChatGenerator(20260516L);
		add(generator, Set.of(JORDAN), LINKEDIN, 130, false);
		add(generator, Set.of(JORDAN), WHATSAPP, 60, false);
		add(generator, Set.of(JORDAN), TELEGRAM, 40, false);
		add(generator, Set.of(ANA), WHATSAPP, 100, false);
		add(generator, Set.of(ANA), TELEGRAM, 30, false);
		add(generator, Set.of(ANA), LINKEDIN, 20, false);
		add(generator, Set.of(JORDAN, ANA), WHATSAPP, 8, true);
		add(generator, Set.of(JORDAN, ANA), TELEGRAM, 4, true);
		add(generator, Set.of(MEI), TELEGRAM, 60, false);
		add(generator, Set.of(MEI), LINKEDIN, 25, false);
		add(generator, Set.of(SAM), LINKEDIN, 5, false);
		alias(JORDAN_ON_LINKEDIN, JORDAN, LINKEDIN);
		alias(ANA_ON_WHATSAPP, ANA, WHATSAPP);
	}

	/**
	 * A new copy of the standard dataset, so that messages one simulator receives do not
	 * show in another's.
	 * @return the dataset
	 */
	static ChatDataset standard() {
		return new ChatDataset();
	}

	boolean knows(String attendeeId) {
		return this.chatsByAttendee.containsKey(attendeeId);
	}

	/**
	 * The chats any of these attendees take part in, each once, most recent activity
	 * first.
	 * @param attendeeIds known attendee ids (postpress or provider ids)
	 * @return the chats
	 */
	List<SimulatedChat> chatsOf(Collection<String> attendeeIds) {
		TreeSet<SimulatedChat> chats = new TreeSet<>(SimulatedChat.NEWEST_FIRST);
		attendeeIds.forEach((attendeeId) -> this.chatsByAttendee.get(attendeeId)
			.forEach((chat) -> chats.add(this.changed.getOrDefault(chat.id(), chat))));
		return List.copyOf(chats);
	}

	/**
	 * A message arrives on a chat: its {@code timestamp} becomes the given time (so it
	 * moves to the top of its lists) and its {@code unread_count} goes up by one.
	 * @param chatId the chat
	 * @param at when the message arrived
	 * @return the changed chat and its attendees, or {@code null} for an unknown chat
	 */
	synchronized @Nullable ReceivedMessage receiveMessage(String chatId, Instant at) {
		List<Map<String, String>> attendees = new ArrayList<>();
		SimulatedChat original = null;
		for (Map.Entry<String, List<SimulatedChat>> entry : this.chatsByAttendee.entrySet()) {
			for (SimulatedChat chat : entry.getValue()) {
				if (chat.id().equals(chatId) && !this.aliases.containsKey(entry.getKey())) {
					original = chat;
					attendees.add(attendee(entry.getKey(), chatId));
				}
			}
		}
		if (original == null) {
			return null;
		}
		SimulatedChat current = this.changed.getOrDefault(chatId, original);
		Matcher unread = UNREAD_COUNT.matcher(current.json());
		int unreadCount = unread.find() ? Integer.parseInt(unread.group(1)) + 1 : 1;
		String json = TIMESTAMP.matcher(unread.replaceFirst("\"unread_count\":" + unreadCount))
			.replaceFirst("\"timestamp\":\"" + ChatGenerator.ISO_MILLIS.format(at) + "\"");
		SimulatedChat received = new SimulatedChat(chatId, current.accountId(), current.createdAt(), at, json);
		this.changed.put(chatId, received);
		return new ReceivedMessage(received, unreadCount, attendees);
	}

	/**
	 * The attendee as a webhook event lists it: its id, and its provider id on the chat's
	 * account if known.
	 */
	private Map<String, String> attendee(String attendeeId, String chatId) {
		Map<String, String> attendee = new LinkedHashMap<>();
		attendee.put("attendee_id", attendeeId);
		this.aliases.forEach((providerId, aliased) -> {
			if (aliased.equals(attendeeId)
					&& this.chatsByAttendee.get(providerId).stream().anyMatch((chat) -> chat.id().equals(chatId))) {
				attendee.put("attendee_provider_id", providerId);
			}
		});
		return attendee;
	}

	private void add(ChatGenerator generator, Set<String> attendeeIds, Account account, int count, boolean group) {
		for (int i = 0; i < count; i++) {
			SimulatedChat chat = generator.chat(account, group);
			attendeeIds.forEach((id) -> this.chatsByAttendee.computeIfAbsent(id, (key) -> new ArrayList<>()).add(chat));
		}
	}

	private void alias(String providerId, String attendeeId, Account account) {
		this.aliases.put(providerId, attendeeId);
		this.chatsByAttendee.put(providerId,
				this.chatsByAttendee.get(attendeeId)
					.stream()
					.filter((chat) -> chat.accountId().equals(account.id()))
					.toList());
	}

	/**
	 * A message received on a chat.
	 *
	 * @param chat the chat as it is now
	 * @param unreadCount its new unread count
	 * @param attendees its attendees, as webhook events list them
	 */
	record ReceivedMessage(SimulatedChat chat, int unreadCount, List<Map<String, String>> attendees) {

	}

	/**
	 * A linked postpress account.
	 *
	 * @param id the account id
	 * @param type the provider behind it
	 */
	record Account(String id, String type) {

	}

}
