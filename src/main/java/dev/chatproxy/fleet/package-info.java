/**
 * Fleet mode: the shared tier of pages in Redis, one upstream call per key across the
 * fleet, and invalidations and purges that reach every replica; wired only with
 * {@code proxy.cache.shared=redis}.
 */
@NullMarked
package dev.chatproxy.fleet;

import org.jspecify.annotations.NullMarked;
