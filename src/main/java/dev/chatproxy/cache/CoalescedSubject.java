package dev.chatproxy.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * What a {@link Coalescer} keeps one interval for: an attendee an event names, or a chat
 * when it names none, with the event's account (folding one account's change into
 * another's would hide it from the streams scoped to the first). The event's other ids
 * ride along: at once when every subject of the event is due, else in the trailing
 * invalidations of those that are not.
 *
 * @param attendee whether the id is an attendee's rather than a chat's
 * @param id the attendee or chat id
 * @param accountId the event's account, when known
 */
public record CoalescedSubject(boolean attendee, String id, @Nullable String accountId) {

	/**
	 * The subjects of an invalidation.
	 * @param invalidation a webhook event's invalidation
	 * @return its attendees, else its chats
	 */
	public static List<CoalescedSubject> of(Invalidation invalidation) {
		String account = (invalidation.cause() != null) ? invalidation.cause().accountId() : null;
		boolean attendees = !invalidation.attendeeIds().isEmpty();
		List<CoalescedSubject> subjects = new ArrayList<>();
		for (String id : attendees ? invalidation.attendeeIds() : invalidation.chatIds()) {
			subjects.add(new CoalescedSubject(attendees, id, account));
		}
		return subjects;
	}

	/**
	 * The ids of an invalidation that are none of its subjects: its chats when it names
	 * attendees.
	 * @param invalidation a webhook event's invalidation
	 * @return the chat ids that ride along
	 */
	public static Set<String> riders(Invalidation invalidation) {
		return invalidation.attendeeIds().isEmpty() ? Set.of() : invalidation.chatIds();
	}

	/**
	 * What to apply at once: the due subjects, and the riders when every subject is due.
	 * @param invalidation the event's invalidation
	 * @param due its subjects that are due
	 * @param all how many subjects it has
	 * @return the invalidation to apply now, empty when none is due
	 */
	public static Invalidation now(Invalidation invalidation, List<CoalescedSubject> due, int all) {
		if (due.size() == all) {
			return invalidation;
		}
		return of(due, Set.of(), invalidation.accountIds(), invalidation.source(), invalidation.cause());
	}

	/**
	 * The trailing invalidation of one subject.
	 * @param chatIds the riders folded into it
	 * @param source the source of the events folded into it
	 * @param cause the last folded event's cause
	 * @return the invalidation
	 */
	public Invalidation trailing(Set<String> chatIds, String source, Invalidation.@Nullable Cause cause) {
		return of(List.of(this), chatIds, Set.of(), source, cause);
	}

	/**
	 * A text that names the subject, to key its interval by (hashed, in Redis).
	 * @return the text
	 */
	public String text() {
		return (this.attendee ? "attendee\n" : "chat\n") + this.id + "\n"
				+ ((this.accountId != null) ? this.accountId : "");
	}

	private static Invalidation of(List<CoalescedSubject> subjects, Set<String> riders, Set<String> accountIds,
			String source, Invalidation.@Nullable Cause cause) {
		Set<String> attendeeIds = new java.util.LinkedHashSet<>();
		Set<String> chatIds = new java.util.LinkedHashSet<>(riders);
		subjects.forEach((subject) -> (subject.attendee ? attendeeIds : chatIds).add(subject.id));
		return new Invalidation(attendeeIds, chatIds, accountIds, source, cause);
	}

}
