package dev.chatproxy.demo;

import java.time.Instant;
import java.util.Comparator;

/**
 * One chat of the simulated dataset: what the simulator filters and sorts on, and its
 * JSON.
 *
 * @param id the chat id
 * @param accountId the account that owns the chat
 * @param createdAt when the chat was created ({@code before}/{@code after} compare this)
 * @param lastActivity the chat's {@code timestamp}, or {@code null}
 * @param json the chat as postpress renders it
 */
record SimulatedChat(String id, String accountId, Instant createdAt, Instant lastActivity, String json) {

	/** Most recent activity first, chats without activity last, then by id. */
	static final Comparator<SimulatedChat> NEWEST_FIRST = Comparator
		.comparing(SimulatedChat::lastActivity, Comparator.nullsFirst(Comparator.<Instant>naturalOrder()))
		.thenComparing(SimulatedChat::id)
		.reversed();

}
