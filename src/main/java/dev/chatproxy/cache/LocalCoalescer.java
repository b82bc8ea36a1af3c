package dev.chatproxy.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.github.benmanes.caffeine.cache.Ticker;
import org.jspecify.annotations.Nullable;

/**
 * The {@link Coalescer} of one replica alone: its intervals in memory, read on the cache
 * ticker; the trailing invalidations run on the scheduler it is given.
 */
class LocalCoalescer implements Coalescer, AutoCloseable {

	private static final int PRUNE_ABOVE = 10_000;

	private final Ticker ticker;

	private final Scheduler scheduler;

	private final Runnable close;

	/** Per subject, its current interval. */
	private final Map<CoalescedSubject, Window> windows = new HashMap<>();

	LocalCoalescer(Ticker ticker, Scheduler scheduler, Runnable close) {
		this.ticker = ticker;
		this.scheduler = scheduler;
		this.close = close;
	}

	/**
	 * A coalescer on the system's ticker, its trailing invalidations on a thread of its
	 * own.
	 * @return the coalescer
	 */
	static LocalCoalescer onItsOwnThread() {
		ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "webhook-coalescer");
			thread.setDaemon(true);
			return thread;
		});
		return new LocalCoalescer(Ticker.systemTicker(),
				(task, delayNanos) -> executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS), executor::shutdownNow);
	}

	@Override
	public synchronized Invalidation admit(Invalidation invalidation, Duration interval,
			Consumer<Invalidation> trailing) {
		List<CoalescedSubject> subjects = CoalescedSubject.of(invalidation);
		long now = this.ticker.read();
		long length = interval.toNanos();
		prune(now);
		List<CoalescedSubject> due = new ArrayList<>();
		for (CoalescedSubject subject : subjects) {
			Window window = this.windows.get(subject);
			if (window == null || (window.pending == null && now - window.openedNanos >= length)) {
				this.windows.put(subject, new Window(now, length));
				due.add(subject);
				continue;
			}
			if (window.pending == null) {
				window.pending = new LinkedHashSet<>();
				this.scheduler.schedule(() -> flush(subject, trailing), window.openedNanos + length - now);
			}
			window.pending.addAll(CoalescedSubject.riders(invalidation));
			window.source = invalidation.source();
			window.cause = invalidation.cause();
		}
		return CoalescedSubject.now(invalidation, due, subjects.size());
	}

	/**
	 * Ends a subject's interval: its folded events become one invalidation, which opens
	 * the next interval.
	 */
	private void flush(CoalescedSubject subject, Consumer<Invalidation> trailing) {
		Invalidation folded;
		synchronized (this) {
			Window window = this.windows.get(subject);
			if (window == null || window.pending == null) {
				return;
			}
			folded = subject.trailing(window.pending, window.source, window.cause);
			this.windows.put(subject, new Window(this.ticker.read(), window.lengthNanos));
		}
		trailing.accept(folded);
	}

	@Override
	public void close() {
		this.close.run();
	}

	private void prune(long now) {
		if (this.windows.size() > PRUNE_ABOVE) {
			this.windows.values()
				.removeIf((window) -> window.pending == null && now - window.openedNanos >= window.lengthNanos);
		}
	}

	/**
	 * Runs a task later; the coalescer's only way to wait, so that tests drive it.
	 */
	@FunctionalInterface
	interface Scheduler {

		/**
		 * Runs the task once the delay has passed, on another thread.
		 * @param task the task
		 * @param delayNanos how long to wait first, in nanoseconds
		 */
		void schedule(Runnable task, long delayNanos);

	}

	/** A subject's interval, and the ids folded into its trailing invalidation. */
	private static final class Window {

		final long openedNanos;

		final long lengthNanos;

		@Nullable Set<String> pending;

		String source = "webhook";

		Invalidation.@Nullable Cause cause;

		Window(long openedNanos, long lengthNanos) {
			this.openedNanos = openedNanos;
			this.lengthNanos = lengthNanos;
		}

	}

}
