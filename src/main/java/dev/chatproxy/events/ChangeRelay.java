package dev.chatproxy.events;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.chatproxy.cache.Invalidation;
import dev.chatproxy.cache.PageCache;
import dev.chatproxy.cache.PageKey;
import dev.chatproxy.cache.PagesInvalidated;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.event.EventListener;

/**
 * Turns invalidations, this replica's and the fleet's, into events: refresh, then tell.
 * Per attendee, at most one change per {@code proxy.webhook.min-refresh-interval} goes
 * through at once (its first pages refreshed, then the event sent, or sent anyway at the
 * deadline); later ones within the interval are folded into one that goes at its end. All
 * of it runs on one scheduler thread, never on the thread that invalidated.
 */
class ChangeRelay {

	private static final Log logger = LogFactory.getLog(ChangeRelay.class);

	private static final int PRUNE_ABOVE = 10_000;

	private final PageCache pageCache;

	private final FirstPages firstPages;

	private final ChatStreams streams;

	private final ScheduledExecutorService scheduler;

	private final long intervalNanos;

	private final Duration deadline;

	/**
	 * Per attendee, its last change let through; touched on the scheduler thread only.
	 */
	private final Map<String, Window> windows = new HashMap<>();

	ChangeRelay(PageCache pageCache, FirstPages firstPages, ChatStreams streams, ScheduledExecutorService scheduler,
			Duration interval, Duration deadline) {
		this.pageCache = pageCache;
		this.firstPages = firstPages;
		this.streams = streams;
		this.scheduler = scheduler;
		this.intervalNanos = interval.toNanos();
		this.deadline = deadline;
	}

	@EventListener
	void pagesInvalidated(PagesInvalidated event) {
		this.scheduler.execute(() -> {
			try {
				relay(event.invalidation());
			}
			catch (RuntimeException ex) {
				logger.warn("Could not relay an invalidation to event streams: " + ex.getClass().getSimpleName());
			}
		});
	}

	private void relay(Invalidation invalidation) {
		Set<String> attendees = new TreeSet<>(invalidation.attendeeIds());
		if (!invalidation.chatIds().isEmpty() || !invalidation.accountIds().isEmpty()) {
			// the pages listing a chat or of an account say whose lists changed
			for (PageKey key : this.pageCache.touched(invalidation)) {
				attendees.addAll(key.attendeeIds());
			}
		}
		if (attendees.isEmpty()) {
			return;
		}
		ChatsChange change = ChatsChange.of(invalidation, attendees);
		long now = System.nanoTime();
		prune(now);
		Set<String> due = new TreeSet<>();
		for (String attendee : attendees) {
			// per account too: folding one account's change into another's would hide it
			// from the streams scoped to the first
			String key = attendee + '\n' + change.accountIds();
			Window window = this.windows.get(key);
			if (window == null || now - window.lastNanos >= this.intervalNanos) {
				this.windows.put(key, new Window(now));
				due.add(attendee);
			}
			else {
				if (window.pending == null) {
					long wait = window.lastNanos + this.intervalNanos - now;
					this.scheduler.schedule(() -> flush(key, attendee), wait, TimeUnit.NANOSECONDS);
				}
				window.pending = change;
			}
		}
		if (!due.isEmpty()) {
			tell(change.to(due));
		}
	}

	private void flush(String key, String attendee) {
		Window window = this.windows.get(key);
		if (window == null || window.pending == null) {
			return;
		}
		ChatsChange change = window.pending;
		window.pending = null;
		window.lastNanos = System.nanoTime();
		tell(change.to(Set.of(attendee)));
	}

	/**
	 * Refreshes the attendees' first pages, then sends the change, or at the deadline.
	 * With no stream here to tell, the change is only kept for replays, and the pages are
	 * left to stale-while-revalidate.
	 */
	private void tell(ChatsChange change) {
		if (!this.streams.wanted(change)) {
			this.streams.send(change);
			return;
		}
		CompletableFuture<Void> told = new CompletableFuture<>();
		this.firstPages.refresh(change.attendeeIds()).whenComplete((done, error) -> told.complete(null));
		told.completeOnTimeout(null, this.deadline.toMillis(), TimeUnit.MILLISECONDS)
			.thenRun(() -> this.streams.send(change));
	}

	private void prune(long now) {
		if (this.windows.size() > PRUNE_ABOVE) {
			this.windows.values()
				.removeIf((window) -> window.pending == null && now - window.lastNanos >= this.intervalNanos);
		}
	}

	/** An attendee's last change let through, and the one waiting for the next. */
	private static final class Window {

		long lastNanos;

		@Nullable ChatsChange pending;

		Window(long lastNanos) {
			this.lastNanos = lastNanos;
		}

	}

}
