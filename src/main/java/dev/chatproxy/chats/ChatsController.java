package dev.chatproxy.chats;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import dev.chatproxy.cache.Served;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Lists an attendee's chats: from the cache when it holds the page fresh (or just
 * expired, while it is refreshed), synchronously; otherwise from postpress, through the
 * cache: on a virtual thread by waiting, else through an asynchronous dispatch. Most
 * fresh hits never get here: the {@link CachedHitFilter} answers them before Spring MVC.
 */
@RestController
class ChatsController {

	private static final @Nullable MethodHandle IS_VIRTUAL = isVirtual();

	private final ChatsPages pages;

	ChatsController(ChatsPages pages) {
		this.pages = pages;
	}

	/**
	 * Answers a fresh hit at once, so that hits pay for no asynchronous dispatch, and
	 * anything else once the cache has fetched it.
	 * @param lookup the request's lookup, made by the {@link CachedHitFilter} when it saw
	 * the request, and then already missed by the cache (see
	 * {@link LookupArgumentResolver})
	 * @param request the request, for its headers
	 */
	@GetMapping(path = "/attendees/{attendee_id}/chats", produces = MediaType.APPLICATION_JSON_VALUE)
	ChatsAnswer chats(ChatsPages.Lookup lookup, HttpServletRequest request) {
		// read from the request rather than as @RequestHeader arguments: cheaper on the
		// hit path
		String ifNoneMatch = request.getHeader(HttpHeaders.IF_NONE_MATCH);
		boolean refresh = PageResponses.asksForRefresh(request.getHeader(HttpHeaders.CACHE_CONTROL));
		if (!refresh && !lookup.missed()) {
			Served served = this.pages.cached(lookup);
			if (served != null) {
				return new ChatsAnswer.Ready(PageResponses.of(served, ifNoneMatch));
			}
		}
		CompletableFuture<Served> fetched = this.pages.fetch(lookup, refresh);
		if (onVirtualThread()) {
			// waiting here holds no platform thread; an asynchronous dispatch would cost
			// a
			// second pass through the filters and, on one carrier under load, queued
			// behind every new request (misses answered seconds late)
			return new ChatsAnswer.Ready(PageResponses.of(await(fetched), ifNoneMatch));
		}
		return new ChatsAnswer.Pending(fetched.thenApply((served) -> PageResponses.of(served, ifNoneMatch)));
	}

	/**
	 * Waits for a fetch, failing as the asynchronous path does: with the cause, which the
	 * error advice answers in the envelope.
	 */
	private static Served await(CompletableFuture<Served> fetched) {
		try {
			return fetched.join();
		}
		catch (CompletionException ex) {
			if (ex.getCause() instanceof RuntimeException cause) {
				throw cause;
			}
			throw ex;
		}
	}

	/**
	 * Whether the request runs on a virtual thread (Java 21+, Spring's virtual threads
	 * on).
	 */
	private static boolean onVirtualThread() {
		try {
			return IS_VIRTUAL != null && (boolean) IS_VIRTUAL.invokeExact(Thread.currentThread());
		}
		catch (Throwable ex) {
			return false;
		}
	}

	private static @Nullable MethodHandle isVirtual() {
		try {
			// Thread.isVirtual() is Java 21 API: looked up, since the bytecode is Java
			// 17's
			return MethodHandles.publicLookup()
				.findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
		}
		catch (ReflectiveOperationException ex) {
			return null;
		}
	}

}
