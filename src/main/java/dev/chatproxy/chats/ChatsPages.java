package dev.chatproxy.chats;

import java.util.concurrent.CompletableFuture;

import dev.chatproxy.cache.PageCache;
import dev.chatproxy.cache.PageKey;
import dev.chatproxy.cache.PageLoader;
import dev.chatproxy.cache.Served;
import dev.chatproxy.callers.AccountScope;
import dev.chatproxy.upstream.ChatsQuery;
import dev.chatproxy.upstream.ResilientPostpressClient;
import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;

/**
 * The one way from a request's raw inputs to its page, shared by the controller and the
 * {@link CachedHitFilter}: validation, the caller's scope, the canonical key, the cache.
 * A request is looked up once: the filter hands its lookup on to the controller
 * ({@link LookupArgumentResolver}).
 */
@Component
class ChatsPages {

	private final PageCache pageCache;

	private final ResilientPostpressClient postpress;

	private final AccountScope accountScope;

	ChatsPages(PageCache pageCache, ResilientPostpressClient postpress, AccountScope accountScope) {
		this.pageCache = pageCache;
		this.postpress = postpress;
		this.accountScope = accountScope;
	}

	/**
	 * Validates a request and scopes it to the caller's accounts, before the key is made:
	 * a narrowed request shares the explicit one's entry.
	 * @param attendeeId the path's {@code attendee_id}, decoded
	 * @param queryString the raw query string, decoded strictly here (the container's
	 * parser fails on malformed input with a server error)
	 * @param requestId the request's id, passed on to postpress
	 * @return the request's page lookup
	 * @throws InvalidParameter (400) when an input is invalid
	 */
	Lookup lookup(String attendeeId, @Nullable String queryString, String requestId) {
		ChatsQuery query = this.accountScope.narrow(ChatsQueryParser.parse(attendeeId, QueryString.parse(queryString)));
		return new Lookup(PageKey.of(query),
				(onAttemptFailure) -> this.postpress.fetch(query, requestId, onAttemptFailure::accept).toFuture(),
				false);
	}

	/**
	 * Returns the page at once when the cache holds it fresh, or just expired while it is
	 * refreshed.
	 * @param lookup the request
	 * @return the page, or {@code null} when it must be {@link #fetch fetched}
	 */
	@Nullable Served cached(Lookup lookup) {
		return this.pageCache.cached(lookup.key(), lookup.loader());
	}

	/**
	 * Fetches the page through the cache once {@link #cached} has answered {@code null}
	 * (or for a refresh), without reading the cache again.
	 * @param lookup the request
	 * @param refresh whether the caller asked for a fresh page ({@code no-cache})
	 * @return the page once fetched, or the failure to answer in the envelope
	 */
	CompletableFuture<Served> fetch(Lookup lookup, boolean refresh) {
		return this.pageCache.fetchMissed(lookup.key(), refresh, lookup.loader());
	}

	/**
	 * A validated request: its cache key and how to fetch its page.
	 *
	 * @param key the canonical request
	 * @param loader the upstream call for it
	 * @param missed whether the cache was read for it already, and held nothing to answer
	 * at once
	 */
	record Lookup(PageKey key, PageLoader loader, boolean missed) {

		/**
		 * The same lookup, once the cache has missed it.
		 * @return the lookup, {@link #missed}
		 */
		Lookup afterMiss() {
			return new Lookup(this.key, this.loader, true);
		}

	}

}
