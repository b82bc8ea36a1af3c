package dev.chatproxy.cache;

/**
 * Pages of this replica's cache were invalidated: here (webhook or operator) or on
 * another replica. Published as a Spring application event after the local cache applied
 * it.
 */
public record PagesInvalidated(Invalidation invalidation, boolean local) {
}
