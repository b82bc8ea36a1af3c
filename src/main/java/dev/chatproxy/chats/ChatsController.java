package dev.chatproxy.chats;

import dev.chatproxy.cache.Served;
import dev.chatproxy.system.RequestIds;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * Lists an attendee's chats: from the cache when it holds the page fresh (or just
 * expired, while it is refreshed), synchronously; otherwise asynchronously from
 * postpress, through the cache. Most fresh hits never get here: the
 * {@link CachedHitFilter} answers them before Spring MVC.
 */
@RestController
class ChatsController {

	private final ChatsPages pages;

	ChatsController(ChatsPages pages) {
		this.pages = pages;
	}

	/**
	 * Answers a fresh hit at once, so that hits pay for no asynchronous dispatch, and
	 * anything else once the cache has fetched it.
	 */
	@GetMapping(path = "/attendees/{attendee_id}/chats", produces = MediaType.APPLICATION_JSON_VALUE)
	ChatsAnswer chats(@PathVariable("attendee_id") String attendeeId, HttpServletRequest request) {
		ChatsPages.Lookup lookup = this.pages.lookup(attendeeId, request.getQueryString(), RequestIds.current(request));
		// read from the request rather than as @RequestHeader arguments: cheaper on the
		// hit path
		String ifNoneMatch = request.getHeader(HttpHeaders.IF_NONE_MATCH);
		boolean refresh = PageResponses.asksForRefresh(request.getHeader(HttpHeaders.CACHE_CONTROL));
		if (!refresh) {
			Served served = this.pages.cached(lookup);
			if (served != null) {
				return new ChatsAnswer.Ready(PageResponses.of(served, ifNoneMatch));
			}
		}
		return new ChatsAnswer.Pending(
				this.pages.fetch(lookup, refresh).thenApply((served) -> PageResponses.of(served, ifNoneMatch)));
	}

}
