/**
 * The inbound API: {@code GET /attendees/{attendee_id}/chats}, its validation into a
 * canonical query, and the cache headers of its answers.
 */
@NullMarked
package dev.chatproxy.chats;

import org.jspecify.annotations.NullMarked;
