package dev.chatproxy.cache;

import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * What an event or operator touches: pages asked for these attendees, listing these
 * chats, or of these accounts.
 *
 * @param attendeeIds pages asked for any of these attendee ids
 * @param chatIds pages listing any of these chats
 * @param accountIds pages asked for, or listing chats of, any of these accounts
 * @param source who asks, {@code webhook} or {@code operator}, for metrics
 * @param cause what caused it, for live updates; {@code null} in messages of replicas
 * that predate it
 */
public record Invalidation(Set<String> attendeeIds, Set<String> chatIds, Set<String> accountIds, String source,
		@Nullable Cause cause) {

	public Invalidation {
		attendeeIds = Set.copyOf(attendeeIds);
		chatIds = Set.copyOf(chatIds);
		accountIds = Set.copyOf(accountIds);
	}

	/**
	 * An invalidation whose cause is only its source.
	 * @param attendeeIds pages asked for any of these attendee ids
	 * @param chatIds pages listing any of these chats
	 * @param accountIds pages asked for, or listing chats of, any of these accounts
	 * @param source who asks, {@code webhook} or {@code operator}
	 */
	public Invalidation(Set<String> attendeeIds, Set<String> chatIds, Set<String> accountIds, String source) {
		this(attendeeIds, chatIds, accountIds, source, null);
	}

	/**
	 * Whether the invalidation touches the page stored under the key.
	 * @param key the page's key
	 * @param page the page
	 * @return whether it touches it
	 */
	public boolean touches(PageKey key, CachedPage page) {
		return key.attendeeIds().stream().anyMatch(this.attendeeIds::contains)
				|| key.accountIds().stream().anyMatch(this.accountIds::contains)
				|| page.chatIds().stream().anyMatch(this.chatIds::contains)
				|| page.accountIds().stream().anyMatch(this.accountIds::contains);
	}

	/**
	 * Whether it names nothing, and so touches no page.
	 * @return whether it is empty
	 */
	public boolean isEmpty() {
		return this.attendeeIds.isEmpty() && this.chatIds.isEmpty() && this.accountIds.isEmpty();
	}

	/**
	 * What caused an invalidation, as live updates (CONTRACT.md section 13) tell it.
	 *
	 * @param reason the webhook's event name, such as {@code message_received}, or
	 * {@code operator}
	 * @param accountId the account the event belongs to, when known
	 * @param receivedAtMillis when the replica that received it did, epoch milliseconds
	 */
	public record Cause(String reason, @Nullable String accountId, long receivedAtMillis) {
	}

}
