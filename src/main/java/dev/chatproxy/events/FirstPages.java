package dev.chatproxy.events;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import dev.chatproxy.cache.Invalidation;
import dev.chatproxy.cache.PageCache;
import dev.chatproxy.cache.PageKey;
import dev.chatproxy.upstream.ChatsQuery;
import dev.chatproxy.upstream.ResilientPostpressClient;
import org.jspecify.annotations.Nullable;

/**
 * Refreshes the first pages (no cursor) of attendees that this replica's cache holds: the
 * pages a chat UI shows, and re-reads when told its list changed.
 */
class FirstPages {

	private final PageCache pageCache;

	private final ResilientPostpressClient postpress;

	FirstPages(PageCache pageCache, ResilientPostpressClient postpress) {
		this.pageCache = pageCache;
		this.postpress = postpress;
	}

	/**
	 * Refreshes the cached first pages of the attendees that are not fresh.
	 * @param attendeeIds the attendees
	 * @return completes once every one is refreshed or failed
	 */
	CompletableFuture<Void> refresh(Set<String> attendeeIds) {
		List<CompletableFuture<?>> refreshes = new ArrayList<>();
		for (PageKey key : this.pageCache.touched(new Invalidation(attendeeIds, Set.of(), Set.of(), "events"))) {
			ChatsQuery query = firstPage(key);
			if (query != null) {
				String requestId = UUID.randomUUID().toString();
				refreshes.add(this.pageCache.revalidate(key,
						(onAttemptFailure) -> this.postpress.fetch(query, requestId, onAttemptFailure::accept)
							.toFuture()));
			}
		}
		return CompletableFuture.allOf(refreshes.toArray(CompletableFuture[]::new));
	}

	/**
	 * The query of a first page's key, from its canonical text; {@code null} for any
	 * other page. Ids never hold {@code &}, so the text splits safely.
	 */
	static @Nullable ChatsQuery firstPage(PageKey key) {
		int limit = ChatsQuery.DEFAULT_LIMIT;
		String before = null;
		String after = null;
		for (String parameter : key.value().split("&")) {
			int equals = parameter.indexOf('=');
			String name = parameter.substring(0, Math.max(0, equals));
			String value = parameter.substring(equals + 1);
			switch (name) {
				case "cursor" -> {
					return null;
				}
				case "limit" -> limit = Integer.parseInt(value);
				case "before" -> before = value;
				case "after" -> after = value;
				default -> {
				}
			}
		}
		return new ChatsQuery(key.attendeeIds(), null, before, after, limit, key.accountIds());
	}

}
