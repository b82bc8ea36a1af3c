package dev.chatproxy.events;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The last events this replica sent, for clients that reconnect with
 * {@code Last-Event-ID}. Ids are this replica's run and a sequence number, so that an id
 * from another replica, or from before a restart, is never taken for one of these.
 */
final class ReplayBuffer {

	private final String run;

	private final int capacity;

	private final Deque<Sent> sent = new ArrayDeque<>();

	private long sequence;

	ReplayBuffer(String run, int capacity) {
		this.run = run;
		this.capacity = capacity;
	}

	/**
	 * Gives the change the next id and keeps it.
	 * @param change the change about to be sent
	 * @return its id
	 */
	synchronized String add(ChatsChange change) {
		Sent added = new Sent(++this.sequence, change);
		this.sent.addLast(added);
		if (this.sent.size() > this.capacity) {
			this.sent.removeFirst();
		}
		return id(added.sequence());
	}

	/** The id of the newest event, for a stream that starts after it. */
	synchronized String last() {
		return id(this.sequence);
	}

	/**
	 * The events sent after the one with the id, oldest first.
	 * @param lastEventId the id the client saw last
	 * @return the events with their ids, or {@code null} when some of them are no longer
	 * held (or the id is not one of this replica's run)
	 */
	synchronized @Nullable List<Replayed> after(String lastEventId) {
		long seen = sequenceOf(lastEventId);
		if (seen < 0 || seen > this.sequence) {
			return null;
		}
		long oldest = this.sent.isEmpty() ? this.sequence + 1 : this.sent.peekFirst().sequence();
		if (seen + 1 < oldest) {
			return null;
		}
		List<Replayed> replayed = new ArrayList<>();
		for (Sent event : this.sent) {
			if (event.sequence() > seen) {
				replayed.add(new Replayed(id(event.sequence()), event.change()));
			}
		}
		return replayed;
	}

	private long sequenceOf(String id) {
		String prefix = this.run + "-";
		if (!id.startsWith(prefix) || id.length() == prefix.length() || id.length() > prefix.length() + 18) {
			return -1;
		}
		long sequence = 0;
		for (int i = prefix.length(); i < id.length(); i++) {
			char c = id.charAt(i);
			if (c < '0' || c > '9') {
				return -1;
			}
			sequence = sequence * 10 + (c - '0');
		}
		return sequence;
	}

	private String id(long sequence) {
		return this.run + "-" + sequence;
	}

	private record Sent(long sequence, ChatsChange change) {
	}

	/**
	 * An event to send again.
	 *
	 * @param id its id
	 * @param change what it told
	 */
	record Replayed(String id, ChatsChange change) {
	}

}
