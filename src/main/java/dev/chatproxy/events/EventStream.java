package dev.chatproxy.events;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One caller's stream: what it listens to, and a bounded queue of events drained by a
 * writer of its own, so that a client that reads slowly blocks nobody but itself.
 * <p>
 * Only the writer touches the response: it writes every queued event's bytes, flushes
 * once, and completes the response when the stream has ended. {@link #end()} never waits
 * for a write, so ending a slow client's stream never stalls the fan-out; a write blocked
 * on a client that reads nothing holds only that stream's writer, until the connector's
 * write timeout fails it.
 */
final class EventStream {

	/** How long the writer waits for Spring MVC to start the asynchronous request. */
	private static final long START_RETRY_MILLIS = 1;

	private static final int START_RETRIES = 10_000;

	private final DirectSseEmitter emitter;

	private final Set<String> attendeeIds;

	private final Set<String> accountIds;

	private final boolean scoped;

	private final BlockingQueue<byte[]> queue;

	private final Executor writers;

	private final ScheduledExecutorService scheduler;

	private final AtomicBoolean writing = new AtomicBoolean();

	private final AtomicBoolean ended = new AtomicBoolean();

	private int startRetries;

	EventStream(DirectSseEmitter emitter, List<String> attendeeIds, List<String> accountIds, boolean scoped,
			int queueCapacity, Executor writers, ScheduledExecutorService scheduler) {
		this.emitter = emitter;
		this.attendeeIds = Set.copyOf(attendeeIds);
		this.accountIds = Set.copyOf(accountIds);
		this.scoped = scoped;
		this.queue = new ArrayBlockingQueue<>(queueCapacity);
		this.writers = writers;
		this.scheduler = scheduler;
	}

	DirectSseEmitter emitter() {
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
	 * @param event the event's bytes, as {@link ChatStreams#frame} built them; shared
	 * with other streams, never changed
	 * @return {@code false} when the client is too far behind to take it
	 */
	boolean offer(byte[] event) {
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
		while (true) {
			if (this.ended.get()) {
				complete();
				return;
			}
			if (!this.queue.isEmpty() && !writeQueued()) {
				return;
			}
			this.writing.set(false);
			if ((this.queue.isEmpty() && !this.ended.get()) || !this.writing.compareAndSet(false, true)) {
				return;
			}
		}
	}

	/**
	 * Writes what is queued with one flush.
	 * @return {@code false} when the writer stops here to try again shortly
	 */
	private boolean writeQueued() {
		try {
			OutputStream body = this.emitter.body();
			if (body == null) {
				awaitStart();
				return false;
			}
			byte[] event;
			while ((event = this.queue.poll()) != null) {
				body.write(event);
			}
			this.emitter.flush();
			return true;
		}
		catch (IOException | RuntimeException ex) {
			// the client went away (or the request was already completed by the
			// container)
			this.ended.set(true);
			return true;
		}
	}

	/**
	 * Tries again shortly: the controller returned, Spring MVC is starting the request.
	 */
	private void awaitStart() {
		if (++this.startRetries > START_RETRIES) {
			this.ended.set(true);
			complete();
			return;
		}
		this.scheduler.schedule(() -> this.writers.execute(this::write), START_RETRY_MILLIS, TimeUnit.MILLISECONDS);
	}

	private void complete() {
		this.queue.clear();
		try {
			this.emitter.complete();
		}
		catch (RuntimeException ex) {
			// already completed by the container
		}
	}

	/**
	 * Ends the stream; the client reconnects, to this replica or another. Never waits for
	 * a write: a writer at work completes the response when its write returns.
	 * @return whether this call ended it
	 */
	boolean end() {
		if (!this.ended.compareAndSet(false, true)) {
			return false;
		}
		this.queue.clear();
		if (this.writing.compareAndSet(false, true)) {
			complete();
		}
		return true;
	}

}
