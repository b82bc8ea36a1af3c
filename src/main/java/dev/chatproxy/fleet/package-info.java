/**
 * Fleet mode: the cache's shared tier in Redis, wired only with
 * {@code proxy.cache.shared=redis}; it implements the interfaces {@code cache} and
 * {@code upstream} own and uses none of their classes.
 * <p>
 * Glossary (the words of {@code cache}'s glossary, as Redis holds them):
 * <ul>
 * <li><b>shared tier</b>: {@code RedisSharedTier}, pages stored by
 * {@code SharedPageStore} under the hash of their canonical request;</li>
 * <li><b>lease</b>: {@code Leases}, one replica fetches a page for the fleet, the others
 * wait for its release;</li>
 * <li><b>budget</b>: {@code RedisUpstreamBudget}, one token bucket for the fleet;</li>
 * <li><b>pause</b>: {@code RedisUpstreamPause}, postpress' 429 pause recorded and
 * published to every replica;</li>
 * <li><b>invalidation</b> and <b>purge</b>: applied to the shared copies, then announced
 * on {@code FleetChannels};</li>
 * <li><b>coalescing</b>: {@code RedisCoalescer}, one interval per attendee for the fleet
 * ({@code SET NX PX}) and the events folded into its trailing invalidation beside
 * it;</li>
 * <li><b>change feed</b>: the replica's one subscription ({@code FleetSubscription}) to
 * those channels, whose {@code FleetMessageListener} hands other replicas' changes to the
 * cache;</li>
 * <li><b>breaker</b>: {@code RedisBreaker}, the one way to call Redis, with its timeout
 * and its one circuit breaker;</li>
 * <li><b>topology</b>: {@code RedisTopology}, the set-ups served (standalone, Sentinel,
 * Cluster); any other fails start-up. Every script touches one slot, and every time in
 * Redis is on Redis' clock, never a replica's.</li>
 * </ul>
 */
@NullMarked
package dev.chatproxy.fleet;

import org.jspecify.annotations.NullMarked;
