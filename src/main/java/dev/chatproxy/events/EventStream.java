package dev.chatproxy.events;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter.DataWithMediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * One caller's stream: what it listens to, and a bounded queue of events drained by a
 * writer of its own, so that a client that reads slowly blocks nobody but itself.
 */
final class EventStream {

	private final SseEmitter emitter;

	private final Set<String> attendeeIds;

	private final Set<String> accountIds;

	private final boolean scoped;

	private final BlockingQueue<Set<DataWithMediaType>> queue;

	private final Executor writers;

	private final AtomicBoolean writing = new AtomicBoolean();

	private final AtomicBoolean ended = new AtomicBoolean();

	EventStream(SseEmitter emitter, List<String> attendeeIds, List<String> accountIds, boolean scoped,
			int queueCapacity, Executor writers) {
		this.emitter = emitter;
		this.attendeeIds = Set.copyOf(attendeeIds);
		this.accountIds = Set.copyOf(accountIds);
		this.scoped = scoped;
		this.queue = new ArrayBlockingQueue<>(queueCapacity);
		this.writers = writers;
	}

	SseEmitter emitter() {
		return this.emitter;
	}

	Set<String> attendeeIds() {
		return this.attendeeIds;
	}

	/**
	 * Whether the change is for this stream: one of its attendees, and none but its
	 * accounts when it asked for some (or its caller's token grants some).
	 */
	boolean wants(ChatsChange change) {
		if (change.attendeeIds().stream().noneMatch(this.attendeeIds::contains)) {
			return false;
		}
		if (this.accountIds.isEmpty()) {
			return true;
		}
		if (change.accountIds().isEmpty()) {
			// an operator's invalidation of an attendee names no account
			return !this.scoped;
		}
		return change.accountIds().stream().anyMatch(this.accountIds::contains);
	}

	/**
	 * Queues an event for the client.
	 * @param event the event's text, as {@link ChatStreams#frame} built it; shared with
	 * other streams, never changed
	 * @return {@code false} when the client is too far behind to take it
	 */
	boolean offer(Set<DataWithMediaType> event) {
		if (this.ended.get()) {
			return true;
		}
		if (!this.queue.offer(event)) {
			return false;
		}
		if (this.writing.compareAndSet(false, true)) {
			this.writers.execute(this::write);
		}
		return true;
	}

	private void write() {
		try {
			Set<DataWithMediaType> event;
			while ((event = this.queue.poll()) != null) {
				if (this.ended.get()) {
					this.queue.clear();
					return;
				}
				this.emitter.send(event);
			}
		}
		catch (IOException | IllegalStateException ex) {
			// the client went away: the emitter's callbacks remove the stream
			end();
		}
		finally {
			this.writing.set(false);
		}
		if (!this.queue.isEmpty() && this.writing.compareAndSet(false, true)) {
			this.writers.execute(this::write);
		}
	}

	/**
	 * Ends the stream; the client reconnects, to this replica or another.
	 * @return whether this call ended it
	 */
	boolean end() {
		if (!this.ended.compareAndSet(false, true)) {
			return false;
		}
		this.queue.clear();
		try {
			this.emitter.complete();
		}
		catch (IllegalStateException ex) {
			// already completed by the container
		}
		return true;
	}

}
