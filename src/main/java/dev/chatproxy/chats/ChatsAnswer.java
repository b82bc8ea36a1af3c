package dev.chatproxy.chats;

import java.util.concurrent.CompletableFuture;

import org.springframework.http.ResponseEntity;

/**
 * What the chats endpoint answers: a page at once (a fresh hit, written synchronously) or
 * later (fetched through the cache, written after an asynchronous dispatch).
 */
sealed interface ChatsAnswer {

	/**
	 * An answer ready now.
	 *
	 * @param response the page or a 304
	 */
	record Ready(ResponseEntity<byte[]> response) implements ChatsAnswer {
	}

	/**
	 * An answer that completes when postpress (or the identical fetch in flight) has.
	 *
	 * @param response the page or a 304, or the failure to answer in the envelope
	 */
	record Pending(CompletableFuture<ResponseEntity<byte[]>> response) implements ChatsAnswer {
	}

}
