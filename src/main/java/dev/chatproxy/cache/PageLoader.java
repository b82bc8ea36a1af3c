package dev.chatproxy.cache;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import dev.chatproxy.upstream.ChatList;

/**
 * Starts one upstream fetch of a page, telling of each failed attempt as it happens.
 */
@FunctionalInterface
public interface PageLoader {

	/**
	 * Starts the fetch.
	 * @param onAttemptFailure called with the failure of each attempt, before any retry
	 * @return the page as postpress sent it, with the ids it lists; fails with the last
	 * attempt's failure
	 */
	CompletableFuture<ChatList> load(Consumer<Throwable> onAttemptFailure);

}
