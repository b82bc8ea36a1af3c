package dev.chatproxy.events;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.context.SmartLifecycle;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter.DataWithMediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The streams this replica holds: opens them (bounded, with a replay of what a
 * reconnecting client missed), fans each change out to the streams that want it, keeps
 * them alive with comments, and ends them all when the replica stops, before the web
 * server's graceful shutdown waits for requests to finish.
 */
public class ChatStreams implements SmartLifecycle {

	static final String CHANGED = "chats-changed";

	static final String RESET = "chats-reset";

	private static final byte[] HEARTBEAT = frame(SseEmitter.event().comment(""));

	private final Set<EventStream> streams = ConcurrentHashMap.newKeySet();

	private final EventsProperties properties;

	private final ReplayBuffer replay;

	private final Executor writers;

	private final ScheduledExecutorService scheduler;

	private final Counter changed;

	private final Counter reset;

	private final Counter dropped;

	private final Timer delay;

	private volatile boolean running;

	ChatStreams(EventsProperties properties, ReplayBuffer replay, Executor writers, ScheduledExecutorService scheduler,
			MeterRegistry meters) {
		this.properties = properties;
		this.replay = replay;
		this.writers = writers;
		this.scheduler = scheduler;
		Gauge.builder("chatproxy.event.streams", this.streams, Set::size)
			.description("Live-update streams open on this replica")
			.register(meters);
		this.changed = sent(meters, CHANGED);
		this.reset = sent(meters, RESET);
		this.dropped = Counter.builder("chatproxy.event.streams.dropped")
			.description("Streams ended because their client fell too far behind")
			.register(meters);
		this.delay = Timer.builder("chatproxy.events.delay")
			.description("Time from a webhook's (or operator's) arrival to its event being sent on this replica")
			.publishPercentileHistogram()
			.register(meters);
	}

	private static Counter sent(MeterRegistry meters, String type) {
		return Counter.builder("chatproxy.events.sent")
			.description("Events sent to streams")
			.tag("type", type)
			.register(meters);
	}

	/**
	 * Opens a stream.
	 * @param attendeeIds the attendees it listens to
	 * @param accountIds only changes of these accounts, when not empty
	 * @param scoped whether the accounts are those a caller's token grants (then a change
	 * naming no account is not sent)
	 * @param lastEventId the id a reconnecting client saw last, if any
	 * @param expiresAt when the caller's token expires, ending the stream
	 * @param request the request the stream answers
	 * @return the stream's emitter, for Spring MVC to serve
	 * @throws TooManyStreams when this replica holds as many as it may, or stops
	 */
	public SseEmitter open(List<String> attendeeIds, List<String> accountIds, boolean scoped,
			@Nullable String lastEventId, @Nullable Instant expiresAt, HttpServletRequest request) {
		if (!this.running) {
			throw new TooManyStreams("This replica is shutting down. Reconnect.", Duration.ofSeconds(1));
		}
		DirectSseEmitter emitter = new DirectSseEmitter(this.properties.timeout().toMillis(), request);
		EventStream stream = new EventStream(emitter, attendeeIds, accountIds, scoped, this.properties.queueCapacity(),
				this.writers, this.scheduler);
		synchronized (this) {
			if (this.streams.size() >= this.properties.maxStreams()) {
				throw new TooManyStreams(
						"This replica holds as many event streams as it may. Retry later, or on another replica.",
						this.properties.retry());
			}
			this.streams.add(stream);
			emitter.onCompletion(() -> this.streams.remove(stream));
			emitter.onTimeout(() -> end(stream));
			emitter.onError((ex) -> end(stream));
			offer(stream, frame(SseEmitter.event().reconnectTime(this.properties.retry().toMillis()).comment("open")));
			if (lastEventId != null) {
				replay(stream, lastEventId);
			}
		}
		if (expiresAt != null) {
			long delay = Math.max(0, expiresAt.toEpochMilli() - System.currentTimeMillis());
			this.scheduler.schedule(() -> end(stream), delay, TimeUnit.MILLISECONDS);
		}
		return emitter;
	}

	private void replay(EventStream stream, String lastEventId) {
		List<ReplayBuffer.Replayed> missed = this.replay.after(lastEventId);
		if (missed == null) {
			ChatsChange everything = new ChatsChange(stream.attendeeIds(), null, null, "reset", Set.of(),
					System.currentTimeMillis());
			if (offer(stream, event(this.replay.last(), RESET, everything))) {
				this.reset.increment();
			}
			return;
		}
		for (ReplayBuffer.Replayed event : missed) {
			if (stream.wants(event.change()) && offer(stream, event(event.id(), CHANGED, event.change()))) {
				this.changed.increment();
			}
		}
	}

	/**
	 * Sends the change, with a new id, to every stream that wants it.
	 * @param change the change
	 */
	void send(ChatsChange change) {
		int sent = 0;
		synchronized (this) {
			String id = this.replay.add(change);
			byte[] event = event(id, CHANGED, change);
			for (EventStream stream : this.streams) {
				if (stream.wants(change) && offer(stream, event)) {
					sent++;
				}
			}
		}
		this.changed.increment(sent);
		this.delay.record(Math.max(0, System.currentTimeMillis() - change.receivedAtMillis()), TimeUnit.MILLISECONDS);
	}

	/**
	 * Whether a stream of this replica wants the change.
	 * @param change the change
	 * @return whether one does
	 */
	boolean wanted(ChatsChange change) {
		for (EventStream stream : this.streams) {
			if (stream.wants(change)) {
				return true;
			}
		}
		return false;
	}

	/** Sends every stream a comment line, so that idle connections stay open. */
	void heartbeat() {
		for (EventStream stream : this.streams) {
			offer(stream, HEARTBEAT);
		}
	}

	private byte[] event(String id, String type, ChatsChange change) {
		return frame(SseEmitter.event()
			.id(id)
			.name(type)
			.reconnectTime(this.properties.retry().toMillis())
			.data(change.json()));
	}

	/**
	 * An event's bytes, encoded once and shared by every stream it goes to, which writes
	 * them as they are (5,000 streams through {@code SseEmitter.send} cost 5,000 message
	 * converter lookups, header updates and encodings of the same text).
	 * @param event the event, all of its parts text
	 * @return the whole event, UTF-8
	 */
	static byte[] frame(SseEmitter.SseEventBuilder event) {
		StringBuilder text = new StringBuilder();
		for (DataWithMediaType part : event.build()) {
			text.append(part.getData());
		}
		return text.toString().getBytes(StandardCharsets.UTF_8);
	}

	/** Queues the event, or ends the stream whose client is too far behind. */
	private boolean offer(EventStream stream, byte[] event) {
		if (stream.offer(event)) {
			return true;
		}
		if (end(stream)) {
			this.dropped.increment();
		}
		return false;
	}

	private boolean end(EventStream stream) {
		this.streams.remove(stream);
		return stream.end();
	}

	@Override
	public void start() {
		this.running = true;
		long heartbeat = this.properties.heartbeat().toMillis();
		this.scheduler.scheduleWithFixedDelay(this::heartbeat, heartbeat, heartbeat, TimeUnit.MILLISECONDS);
	}

	/**
	 * Ends every stream, so that clients reconnect to another replica at once rather than
	 * hold the graceful shutdown for its whole timeout.
	 */
	@Override
	public void stop() {
		this.running = false;
		this.streams.forEach(this::end);
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** Stops before the web server's graceful shutdown, which waits for open requests. */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE;
	}

}
