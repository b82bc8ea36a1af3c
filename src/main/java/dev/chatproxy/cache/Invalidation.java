package dev.chatproxy.cache;

import java.util.Set;

/**
 * What an event or operator touches: pages asked for these attendees, listing these
 * chats, or of these accounts.
 *
 * @param attendeeIds pages asked for any of these attendee ids
 * @param chatIds pages listing any of these chats
 * @param accountIds pages asked for, or listing chats of, any of these accounts
 * @param source who asks, {@code webhook} or {@code operator}, for metrics
 */
public record Invalidation(Set<String> attendeeIds, Set<String> chatIds, Set<String> accountIds, String source) {

	public Invalidation {
		attendeeIds = Set.copyOf(attendeeIds);
		chatIds = Set.copyOf(chatIds);
		accountIds = Set.copyOf(accountIds);
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

}
