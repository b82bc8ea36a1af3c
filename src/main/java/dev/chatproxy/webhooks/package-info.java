/**
 * postpress' webhook: message events that mark the cached pages they touch stale.
 */
@NullMarked
package dev.chatproxy.webhooks;

import org.jspecify.annotations.NullMarked;
