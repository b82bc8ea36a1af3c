package dev.chatproxy.chats;

import java.util.concurrent.CompletableFuture;

import dev.chatproxy.cache.PageCache;
import dev.chatproxy.cache.PageKey;
import dev.chatproxy.cache.PageLoader;
import dev.chatproxy.cache.Served;
import dev.chatproxy.callers.AccountScope;
import dev.chatproxy.system.RequestIds;
import dev.chatproxy.upstream.ChatsQuery;
import dev.chatproxy.upstream.ResilientPostpressClient;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * Lists an attendee's chats: from the cache when it holds the page fresh (or just
 * expired, while it is refreshed), synchronously; otherwise asynchronously from
 * postpress, through the cache.
 */
@RestController
class ChatsController {

	private final PageCache pageCache;

	private final ResilientPostpressClient postpress;

	private final AccountScope accountScope;

	ChatsController(PageCache pageCache, ResilientPostpressClient postpress, AccountScope accountScope) {
		this.pageCache = pageCache;
		this.postpress = postpress;
		this.accountScope = accountScope;
	}

	/**
	 * Answers a fresh hit at once, so that hits pay for no asynchronous dispatch, and
	 * anything else once the cache has fetched it.
	 */
	@GetMapping(path = "/attendees/{attendee_id}/chats", produces = MediaType.APPLICATION_JSON_VALUE)
	ChatsAnswer chats(@PathVariable("attendee_id") String attendeeId, HttpServletRequest request) {
		// the raw query, decoded strictly here: the container's parser fails on
		// malformed input with a server error. Then scoped to the caller's accounts
		// before the key is made: a narrowed request shares the explicit one's entry.
		ChatsQuery query = this.accountScope
			.narrow(ChatsQueryParser.parse(attendeeId, QueryString.parse(request.getQueryString())));
		PageKey key = PageKey.of(query);
		// read from the request rather than as @RequestHeader arguments: cheaper on the
		// hit path
		String ifNoneMatch = request.getHeader(HttpHeaders.IF_NONE_MATCH);
		boolean refresh = PageResponses.asksForRefresh(request.getHeader(HttpHeaders.CACHE_CONTROL));
		String requestId = RequestIds.current(request);
		PageLoader loader = (onAttemptFailure) -> this.postpress.fetch(query, requestId, onAttemptFailure::accept)
			.toFuture();
		if (!refresh) {
			Served served = this.pageCache.cached(key, loader);
			if (served != null) {
				return new ChatsAnswer.Ready(PageResponses.of(served, ifNoneMatch));
			}
		}
		CompletableFuture<ResponseEntity<byte[]>> response = this.pageCache.fetch(key, refresh, loader)
			.thenApply((served) -> PageResponses.of(served, ifNoneMatch));
		return new ChatsAnswer.Pending(response);
	}

}
