/**
 * postpress' webhook: message events that mark the cached pages they touch stale, a storm
 * of them coalesced per attendee ({@code cache.Coalescer}).
 */
@NullMarked
package dev.chatproxy.webhooks;

import org.jspecify.annotations.NullMarked;
