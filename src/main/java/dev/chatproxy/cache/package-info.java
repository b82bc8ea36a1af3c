/**
 * The page cache: Caffeine through Spring Cache, one upstream call per key, stale pages
 * kept for when postpress fails, and the one interface of the tier behind it.
 * <p>
 * Glossary, one word per concept across packages:
 * <ul>
 * <li><b>page cache</b>: this replica's in-process pages by canonical request
 * ({@code PageCache});</li>
 * <li><b>shared tier</b>: what the fleet shares behind the page cache, one interface
 * ({@code SharedTier}) chosen by {@code proxy.cache.shared}: none ({@code NoSharedTier})
 * or Redis (package {@code fleet});</li>
 * <li><b>lease</b>: the right of one replica to fetch a page for the whole fleet while
 * the others wait;</li>
 * <li><b>budget</b>: how many calls postpress may receive (package
 * {@code upstream});</li>
 * <li><b>pause</b>: the time postpress' 429 asked every caller to wait (package
 * {@code upstream});</li>
 * <li><b>invalidation</b>: pages marked stale because an event or operator touched them
 * ({@code Invalidation}, applied by {@code Invalidations}: this replica first, then the
 * shared tier);</li>
 * <li><b>coalescing</b>: a storm of webhook invalidations folded into at most one per
 * attendee and interval, and one trailing at its end ({@code Coalescer}: this replica's
 * alone, {@code LocalCoalescer}, or the fleet's in package {@code fleet});</li>
 * <li><b>purge</b>: every page of every tier deleted
 * ({@code DELETE /actuator/caches});</li>
 * <li><b>change feed</b>: what other replicas invalidated or purged, heard through the
 * shared tier ({@code SharedTier.Changes}) and published as
 * {@code PagesInvalidated}.</li>
 * </ul>
 */
@NullMarked
package dev.chatproxy.cache;

import org.jspecify.annotations.NullMarked;
