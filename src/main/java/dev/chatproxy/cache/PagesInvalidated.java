package dev.chatproxy.cache;

/**
 * Pages of this replica's cache were invalidated: here (webhook or operator) or on
 * another replica. Published as a Spring application event after the local cache applied
 * it.
 *
 * @param invalidation what was touched
 * @param local whether the invalidation originated on this replica; {@code false} when it
 * was heard from another replica through the shared tier's change feed
 */
public record PagesInvalidated(Invalidation invalidation, boolean local) {
}
