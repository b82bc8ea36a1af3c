package dev.chatproxy.chats;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.chatproxy.cache.CacheStatus;
import dev.chatproxy.cache.CachedPage;
import dev.chatproxy.cache.PageCache;
import dev.chatproxy.cache.PageKey;
import dev.chatproxy.cache.Served;
import dev.chatproxy.callers.AccountScope;
import dev.chatproxy.callers.CallersProperties;
import dev.chatproxy.system.CorsProperties;
import dev.chatproxy.upstream.ResilientPostpressClient;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The web layer of {@link ChatsController} alone: binding, validation into a canonical
 * key, the synchronous hit path and the asynchronous one, and errors in the envelope. The
 * cache and postpress are stand-ins here; the integration tests run the real ones.
 */
@WebMvcTest(ChatsController.class)
@Import({ AccountScope.class, ChatsPages.class, ChatsWebConfiguration.class })
@EnableConfigurationProperties({ CallersProperties.class, CorsProperties.class })
class ChatsControllerTests {

	private static final byte[] PAGE = "{\"object\":\"ChatList\",\"items\":[],\"cursor\":null}"
		.getBytes(StandardCharsets.UTF_8);

	@Autowired
	MockMvc mvc;

	@MockitoBean
	PageCache pageCache;

	@MockitoBean
	ResilientPostpressClient postpress;

	@Test
	void answersAFreshHitWithoutAnAsynchronousDispatch() throws Exception {
		given(this.pageCache.cached(eq(key("a,b", 100)), any())).willReturn(served(CacheStatus.HIT));

		this.mvc.perform(get("/attendees/b, a,a/chats"))
			.andExpect(request().asyncNotStarted())
			.andExpect(status().isOk())
			.andExpect(content().contentType(MediaType.APPLICATION_JSON))
			.andExpect(content().bytes(PAGE))
			.andExpect(header().string("Cache-Status", "chat-proxy; hit; ttl=20"))
			.andExpect(header().string("Cache-Control", "private, max-age=20"))
			.andExpect(header().string("Age", "10"));
	}

	@Test
	void fetchesAMissAsynchronouslyUnderTheCanonicalKey() throws Exception {
		given(this.pageCache.fetch(eq(key("a", 5)), eq(false), any()))
			.willReturn(CompletableFuture.completedFuture(served(CacheStatus.STORED)));

		MvcResult started = this.mvc.perform(get("/attendees/a/chats?limit=5"))
			.andExpect(request().asyncStarted())
			.andReturn();
		started.getAsyncResult(TimeUnit.SECONDS.toMillis(5));

		this.mvc.perform(asyncDispatch(started))
			.andExpect(status().isOk())
			.andExpect(header().string("Cache-Status", "chat-proxy; fwd=uri-miss; stored"))
			.andExpect(content().bytes(PAGE));
	}

	@Test
	void asksForAFreshPageWhenTheCallerSendsNoCache() throws Exception {
		given(this.pageCache.fetch(eq(key("a", 100)), eq(true), any()))
			.willReturn(CompletableFuture.completedFuture(served(CacheStatus.REFRESHED)));

		MvcResult started = this.mvc.perform(get("/attendees/a/chats").header("Cache-Control", "no-cache"))
			.andExpect(request().asyncStarted())
			.andReturn();
		started.getAsyncResult(TimeUnit.SECONDS.toMillis(5));

		this.mvc.perform(asyncDispatch(started))
			.andExpect(header().string("Cache-Status", "chat-proxy; fwd=request; stored"));
	}

	@Test
	void rejectsInvalidInputInTheEnvelopeWithoutTouchingTheCache() throws Exception {
		this.mvc.perform(get("/attendees/a/chats?limit=0&accountId=x"))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.type").value("errors/invalid_parameters"))
			.andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("accountId")));
		this.mvc.perform(get("/attendees/%2e%2e/chats"))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.type").value("errors/invalid_parameters"));
		verifyNoInteractions(this.pageCache, this.postpress);
	}

	@Test
	void answersOtherMethodsAndMediaTypesInTheEnvelope() throws Exception {
		this.mvc.perform(post("/attendees/a/chats"))
			.andExpect(status().isMethodNotAllowed())
			.andExpect(header().string("Allow", org.hamcrest.Matchers.containsString("GET")))
			.andExpect(jsonPath("$.type").value("errors/method_not_allowed"));
		this.mvc.perform(get("/attendees/a/chats").accept(MediaType.APPLICATION_XML))
			.andExpect(status().isNotAcceptable())
			.andExpect(jsonPath("$.type").value("errors/not_acceptable"));
		verifyNoInteractions(this.pageCache, this.postpress);
	}

	private static PageKey key(String attendees, int limit) {
		return PageKey.of(ChatsQueryParser.parse(attendees, QueryString.parse("limit=" + limit)));
	}

	private static Served served(CacheStatus status) {
		CachedPage page = CachedPage.of(PAGE, 0, TimeUnit.SECONDS.toNanos(30));
		return new Served(page, status, TimeUnit.SECONDS.toNanos(10), TimeUnit.SECONDS.toNanos(20));
	}

}
