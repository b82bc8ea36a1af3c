package dev.chatproxy.chats;

import dev.chatproxy.upstream.ChatList;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.chatproxy.cache.CacheStatus;
import dev.chatproxy.cache.CachedPage;
import dev.chatproxy.cache.PageCache;
import dev.chatproxy.cache.PageKey;
import dev.chatproxy.cache.Served;
import dev.chatproxy.callers.AccountScope;
import dev.chatproxy.callers.CallersProperties;
import dev.chatproxy.system.CorsProperties;
import dev.chatproxy.system.Problems;
import dev.chatproxy.upstream.ResilientPostpressClient;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.verifyNoMoreInteractions;
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
@Import({ AccountScope.class, ChatsControllerTests.CountingLookups.class, ChatsWebConfiguration.class,
		ChatsApiConfiguration.class, Problems.class })
@EnableConfigurationProperties({ CallersProperties.class, CorsProperties.class })
class ChatsControllerTests {

	private static final byte[] PAGE = "{\"object\":\"ChatList\",\"items\":[],\"cursor\":null}"
		.getBytes(StandardCharsets.UTF_8);

	@Autowired
	MockMvc mvc;

	@Autowired
	CountingChatsPages pages;

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
		given(this.pageCache.fetchMissed(eq(key("a", 5)), eq(false), any()))
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
		given(this.pageCache.fetchMissed(eq(key("a", 100)), eq(true), any()))
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

	@Test
	void aMissThroughTheFilterIsLookedUpAndReadFromTheCacheOnce() throws Exception {
		given(this.pageCache.fetchMissed(eq(key("a", 5)), eq(false), any()))
			.willReturn(CompletableFuture.completedFuture(served(CacheStatus.STORED)));
		int lookups = this.pages.lookups.get();

		MvcResult started = this.mvc.perform(get("/attendees/a/chats?limit=5"))
			.andExpect(request().asyncStarted())
			.andExpect(request().attribute(LookupArgumentResolver.ATTRIBUTE, notNullValue()))
			.andReturn();
		started.getAsyncResult(TimeUnit.SECONDS.toMillis(5));
		this.mvc.perform(asyncDispatch(started)).andExpect(status().isOk());

		assertThat(this.pages.lookups.get() - lookups).isOne();
		verify(this.pageCache, times(1)).cached(eq(key("a", 5)), any());
		verify(this.pageCache, times(1)).fetchMissed(eq(key("a", 5)), eq(false), any());
		verify(this.pageCache, never()).fetch(any(), anyBoolean(), any());
	}

	@Test
	void aRequestTheFilterLeavesIsLookedUpOnceByTheController() throws Exception {
		given(this.pageCache.cached(eq(key("a,b", 100)), any())).willReturn(served(CacheStatus.HIT));
		int lookups = this.pages.lookups.get();

		this.mvc.perform(get("/attendees/b,a/chats").header("Origin", "https://app.example"))
			.andExpect(request().attribute(LookupArgumentResolver.ATTRIBUTE, nullValue()))
			.andExpect(status().isOk())
			.andExpect(header().string("Cache-Status", "chat-proxy; hit; ttl=20"));

		assertThat(this.pages.lookups.get() - lookups).isOne();
		verify(this.pageCache, times(1)).cached(eq(key("a,b", 100)), any());
		verifyNoMoreInteractions(this.pageCache);
	}

	@Test
	void anInvalidRequestIsRefusedOnceAndAnsweredByTheController() throws Exception {
		int lookups = this.pages.lookups.get();

		this.mvc.perform(get("/attendees/a/chats?limit=0"))
			.andExpect(request().attribute(LookupArgumentResolver.ATTRIBUTE, notNullValue()))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.type").value("errors/invalid_parameters"));

		assertThat(this.pages.lookups.get() - lookups).isOne();
		verifyNoInteractions(this.pageCache, this.postpress);
	}

	private static PageKey key(String attendees, int limit) {
		return PageKey.of(ChatsQueryParser.parse(attendees, QueryString.parse("limit=" + limit)));
	}

	private static Served served(CacheStatus status) {
		CachedPage page = CachedPage.of(new ChatList(PAGE, Set.of(), Set.of()), 0, TimeUnit.SECONDS.toNanos(30));
		return new Served(page, status, TimeUnit.SECONDS.toNanos(10), TimeUnit.SECONDS.toNanos(20));
	}

	/** The real {@link ChatsPages}, counting its lookups. */
	static class CountingChatsPages extends ChatsPages {

		final AtomicInteger lookups = new AtomicInteger();

		CountingChatsPages(PageCache pageCache, ResilientPostpressClient postpress, AccountScope accountScope) {
			super(pageCache, postpress, accountScope);
		}

		@Override
		Lookup lookup(String attendeeId, @Nullable String queryString, String requestId) {
			this.lookups.incrementAndGet();
			return super.lookup(attendeeId, queryString, requestId);
		}

	}

	@TestConfiguration(proxyBeanMethods = false)
	static class CountingLookups {

		@Bean
		CountingChatsPages chatsPages(PageCache pageCache, ResilientPostpressClient postpress,
				AccountScope accountScope) {
			return new CountingChatsPages(pageCache, postpress, accountScope);
		}

	}

}
