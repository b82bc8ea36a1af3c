package dev.chatproxy.cache;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Folds a storm of webhook invalidations into few: per attendee (and account), the first
 * event of an interval goes through at once, later ones within it become one trailing
 * invalidation at its end, which opens the next interval. So a storm of any rate marks an
 * attendee's pages stale at most once per interval, and no page is older than the
 * interval plus one fetch once it ends. Fleet-wide in fleet mode (package {@code fleet}),
 * this replica's alone otherwise ({@link LocalCoalescer}). Operator invalidations never
 * pass through it.
 */
public interface Coalescer {

	/**
	 * Lets through what no other invalidation touched within the interval, and folds the
	 * rest into the trailing invalidation of each of its attendees.
	 * @param invalidation a webhook event's invalidation
	 * @param interval the least time between two invalidations of one attendee's pages
	 * @param trailing applies a trailing invalidation when its interval ends, on the
	 * coalescer's own thread
	 * @return the part to apply now; empty when all of it was folded
	 */
	Invalidation admit(Invalidation invalidation, Duration interval, Consumer<Invalidation> trailing);

}
