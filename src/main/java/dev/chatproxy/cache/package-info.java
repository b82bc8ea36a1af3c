/**
 * The page cache: Caffeine through Spring Cache, one upstream call per key, stale pages
 * kept for when postpress fails.
 */
@NullMarked
package dev.chatproxy.cache;

import org.jspecify.annotations.NullMarked;
