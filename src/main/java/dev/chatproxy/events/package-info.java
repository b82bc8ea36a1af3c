/**
 * Live updates (CONTRACT.md section 13): chat-list changes, from webhooks and operators
 * on any replica, pushed to callers' server-sent-event streams, after the attendee's
 * first page was refreshed.
 */
@NullMarked
package dev.chatproxy.events;

import org.jspecify.annotations.NullMarked;
