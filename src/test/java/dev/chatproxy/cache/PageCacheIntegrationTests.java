package dev.chatproxy.cache;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.chatproxy.support.CacheAssertions;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.PrometheusScrape;
import dev.chatproxy.support.ProxyClient;
import dev.chatproxy.support.ProxyIntegrationTest;
import dev.chatproxy.support.UpstreamGate;
import dev.chatproxy.upstream.ChatList;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.cache.CacheManager;
import org.springframework.cache.caffeine.CaffeineCache;
import org.springframework.test.context.NestedTestConfiguration;
import org.springframework.test.context.TestPropertySource;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The page cache seen from outside (CONTRACT.md sections 3 and 4): the whole application
 * on random ports, a fake postpress over HTTP, and a cache clock the tests move.
 */
// stale-while-revalidate off: the expiry and stale-if-error tests here predate it; it is
// tested in StaleWhileRevalidate below
@ProxyIntegrationTest
@TestPropertySource(properties = "proxy.cache.stale-while-revalidate=0")
class PageCacheIntegrationTests {

	private static final WireMockServer postpress = Postpress.server();

	@Autowired
	ProxyClient proxy;

	@Autowired
	CacheManager cacheManager;

	@Autowired
	CircuitBreakerRegistry circuitBreakers;

	@Test
	void concurrentIdenticalMissesMakeOneUpstreamCall() throws Exception {
		UpstreamGate gate = Postpress.hold(Postpress.chats("cold"), Postpress.page(3, "next"));
		double collapsedBefore = scrape("chatproxy_cache_collapsed_total", "cache=\"chats\"");

		// postpress answers only once all 100 requests are in: 1 fetching, 99 waiting on
		// it
		List<HttpResponse<String>> responses = this.proxy.burst(100, "/attendees/cold/chats",
				() -> await().atMost(Duration.ofSeconds(30))
					.until(() -> gate.arrived() == 1
							&& scrape("chatproxy_cache_collapsed_total", "cache=\"chats\"") - collapsedBefore == 99));

		postpress.verify(1, getRequestedFor(urlPathEqualTo(Postpress.BASE_PATH + "/chat_attendees/cold/chats")));
		assertThat(responses).allSatisfy((response) -> {
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.body()).isEqualTo(Postpress.pageJson(3, "next"));
		});
		List<String> statuses = responses.stream().map(PageCacheIntegrationTests::cacheStatus).toList();
		assertThat(statuses).filteredOn("chat-proxy; fwd=uri-miss; stored"::equals).hasSize(1);
		assertThat(statuses).filteredOn("chat-proxy; fwd=uri-miss; collapsed"::equals).hasSize(99);
		assertThat(scrape("chatproxy_cache_collapsed_total", "cache=\"chats\"") - collapsedBefore).isEqualTo(99);
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			/attendees/b,a,a/chats                               | /attendees/a,b/chats
			/attendees/%20a%20,%20b%20/chats                     | /attendees/b,a/chats
			/attendees/a/chats                                   | /attendees/a/chats?limit=100
			/attendees/a/chats?account_id=y,x,x                  | /attendees/a/chats?account_id=x,y
			/attendees/a/chats?account_id=%20y%20,x&limit=100    | /attendees/a/chats?limit=100&account_id=x,y
			""")
	void requestsThatMeanTheSameThingShareOneEntry(String first, String second) {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(2, null)));

		assertThat(cacheStatus(this.proxy.get(first))).isEqualTo("chat-proxy; fwd=uri-miss; stored");
		HttpResponse<String> again = this.proxy.get(second);

		assertThat(cacheStatus(again)).isEqualTo("chat-proxy; hit; ttl=30");
		assertThat(again.body()).isEqualTo(Postpress.pageJson(2, null));
		assertThat(upstreamCalls()).isEqualTo(1);
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			/attendees/a/chats?cursor=c1                          | /attendees/a/chats?cursor=c2
			/attendees/a/chats                                    | /attendees/a/chats?cursor=c1
			/attendees/a/chats?before=2026-01-01T00:00:00.000Z    | /attendees/a/chats?before=2026-01-02T00:00:00.000Z
			/attendees/a/chats?after=2026-01-01T00:00:00.000Z     | /attendees/a/chats?after=2026-01-02T00:00:00.000Z
			/attendees/a/chats?before=2026-01-01T00:00:00.000Z    | /attendees/a/chats?after=2026-01-01T00:00:00.000Z
			/attendees/a/chats?limit=10                           | /attendees/a/chats?limit=20
			/attendees/a/chats?limit=99                           | /attendees/a/chats
			/attendees/a/chats?account_id=x                       | /attendees/a/chats?account_id=y
			/attendees/a/chats?account_id=x                       | /attendees/a/chats
			/attendees/a/chats?account_id=x,y                     | /attendees/a/chats?account_id=x
			/attendees/a/chats                                    | /attendees/b/chats
			/attendees/a,b/chats                                  | /attendees/a/chats
			/attendees/A/chats                                    | /attendees/a/chats
			""")
	void requestsThatDifferDoNotShareAnEntry(String first, String second) {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(2, null)));

		assertThat(cacheStatus(this.proxy.get(first))).isEqualTo("chat-proxy; fwd=uri-miss; stored");
		assertThat(cacheStatus(this.proxy.get(second))).isEqualTo("chat-proxy; fwd=uri-miss; stored");

		assertThat(upstreamCalls()).isEqualTo(2);
	}

	@Test
	void freshHitCarriesHeadersConsistentWithTheCacheClock() {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(2, "c")));
		postpress.stubFor(Postpress.chats("other").willReturn(Postpress.page(3, "c")));
		String body = Postpress.pageJson(2, "c");

		HttpResponse<String> miss = this.proxy.get("/attendees/a/chats");
		assertThat(miss.statusCode()).isEqualTo(200);
		String etag = miss.headers().firstValue("ETag").orElseThrow();
		assertThat(etag).as("a strong entity tag").matches("\"[^\"]+\"");
		assertThat(miss.headers().firstValue("Content-Type"))
			.hasValueSatisfying((contentType) -> assertThat(contentType).startsWith("application/json"));
		assertThat(miss.headers().firstValue("Age")).hasValue("0");
		assertThat(miss.headers().firstValue("ETag")).hasValue(etag);
		assertThat(miss.headers().firstValue("Cache-Control")).hasValue("private, max-age=30");

		this.proxy.ticker().advance(Duration.ofSeconds(10));
		HttpResponse<String> hit = this.proxy.get("/attendees/a/chats");

		assertThat(hit.statusCode()).isEqualTo(200);
		assertThat(hit.body()).isEqualTo(body);
		assertThat(cacheStatus(hit)).isEqualTo("chat-proxy; hit; ttl=20");
		assertThat(hit.headers().firstValue("Age")).hasValue("10");
		assertThat(hit.headers().firstValue("ETag")).hasValue(etag);
		assertThat(hit.headers().firstValue("Cache-Control")).hasValue("private, max-age=20");
		assertThat(upstreamCalls()).isEqualTo(1);
		assertThat(this.proxy.get("/attendees/other/chats").headers().firstValue("ETag")).as("another body's tag")
			.isPresent()
			.isNotEqualTo(Optional.of(etag));
	}

	@Test
	void pageIsFetchedAgainOnceTheCacheClockPassesTheTtl() {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(1, null)));
		assertThat(cacheStatus(this.proxy.get("/attendees/a/chats"))).isEqualTo("chat-proxy; fwd=uri-miss; stored");

		this.proxy.ticker().advance(Duration.ofSeconds(29));
		assertThat(cacheStatus(this.proxy.get("/attendees/a/chats"))).isEqualTo("chat-proxy; hit; ttl=1");
		this.proxy.ticker().advance(Duration.ofSeconds(2));
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(2, null)));
		HttpResponse<String> refetched = this.proxy.get("/attendees/a/chats");

		assertThat(cacheStatus(refetched)).isEqualTo("chat-proxy; fwd=uri-miss; stored");
		assertThat(refetched.body()).isEqualTo(Postpress.pageJson(2, null));
		assertThat(refetched.headers().firstValue("Age")).hasValue("0");
		assertThat(upstreamCalls()).isEqualTo(2);
	}

	@ParameterizedTest
	@ValueSource(ints = { 500, 503, 504 })
	void servesStaleCopyWhenUpstreamFailsWithinTheStaleTtl(int status) {
		double staleBefore = this.proxy.meters()
			.get("chatproxy.cache.stale.served")
			.tag("cache", "chats")
			.counter()
			.count();
		storeOldPageThenAnswer(Postpress.error(status, "errors/unexpected_error"), Duration.ofSeconds(45));

		HttpResponse<String> stale = this.proxy.get("/attendees/a/chats");

		CacheAssertions.assertStaleIfError(stale, Postpress.pageJson(1, "old"), 15);
		assertThat(stale.headers().firstValue("Age")).hasValue("45");
		assertThat(stale.headers().firstValue("Cache-Control")).hasValue("private, max-age=0");
		assertThat(this.proxy.meters().get("chatproxy.cache.stale.served").tag("cache", "chats").counter().count())
			.isEqualTo(staleBefore + 1);
		assertThat(scrape("chatproxy_cache_stale_served_total", "cache=\"chats\"")).isEqualTo(staleBefore + 1);
	}

	@Test
	void servesStaleCopyWhenUpstreamIsUnreachable() {
		storeOldPageThenAnswer(WireMock.aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), Duration.ofSeconds(60));

		HttpResponse<String> stale = this.proxy.get("/attendees/a/chats");

		CacheAssertions.assertStaleIfError(stale, Postpress.pageJson(1, "old"), 30);
	}

	@Test
	void servesStaleCopyWithoutCallingUpstreamWhileTheCircuitIsOpen() {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(1, "old")));
		this.proxy.get("/attendees/a/chats");
		this.circuitBreakers.circuitBreaker("postpress").transitionToOpenState();
		this.proxy.ticker().advance(Duration.ofSeconds(31));

		HttpResponse<String> stale = this.proxy.get("/attendees/a/chats");
		HttpResponse<String> uncached = this.proxy.get("/attendees/b/chats");

		assertThat(stale.statusCode()).isEqualTo(200);
		assertThat(cacheStatus(stale)).isEqualTo("chat-proxy; hit; ttl=-1; detail=stale-if-error");
		assertThat(uncached.statusCode()).isEqualTo(503);
		assertThat(uncached.headers().firstValue("Retry-After")).isPresent();
		assertThat(uncached.body()).contains("\"type\":\"errors/service_unavailable\"");
		assertThat(upstreamCalls()).isEqualTo(1);
	}

	@ParameterizedTest
	@CsvSource({ "404, errors/resource_not_found", "429, errors/too_many_requests",
			"403, errors/insufficient_permissions" })
	void refusalsAreAnsweredAsSuchDespiteAStaleCopy(int status, String type) {
		storeOldPageThenAnswer(Postpress.error(status, type), Duration.ofSeconds(45));

		HttpResponse<String> refused = this.proxy.get("/attendees/a/chats");

		assertThat(refused.statusCode()).isEqualTo(status);
		assertThat(refused.body()).contains("\"type\":\"" + type + "\"");
		assertThat(refused.headers().firstValue("Cache-Status")).isEmpty();
	}

	@Test
	void staleCopyIsNotExtendedByServingIt() {
		storeOldPageThenAnswer(Postpress.error(500, "errors/unexpected_error"), Duration.ofMinutes(5));
		assertThat(cacheStatus(this.proxy.get("/attendees/a/chats"))).endsWith("detail=stale-if-error");
		this.circuitBreakers.circuitBreaker("postpress").reset();

		this.proxy.ticker().advance(Duration.ofMinutes(5).plusSeconds(31));
		HttpResponse<String> tooOld = this.proxy.get("/attendees/a/chats");

		assertThat(tooOld.statusCode()).isEqualTo(500);
		assertThat(tooOld.headers().firstValue("Cache-Status")).isEmpty();
	}

	@Test
	void answersTheErrorOncePastTtlPlusStaleTtl() {
		storeOldPageThenAnswer(Postpress.error(500, "errors/unexpected_error"),
				Duration.ofSeconds(30).plus(Duration.ofMinutes(10)));

		HttpResponse<String> error = this.proxy.get("/attendees/a/chats");

		assertThat(error.statusCode()).isEqualTo(500);
		assertThat(error.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(error.body()).contains("\"type\":\"errors/unexpected_error\"").doesNotContain("ChatList");
		assertThat(error.headers().firstValue("Cache-Status")).isEmpty();
	}

	static Stream<Arguments> upstreamErrors() {
		return Stream.of(Arguments.of("404", Postpress.error(404, "errors/resource_not_found"), 404),
				Arguments.of("429", Postpress.error(429, "errors/too_many_requests").withHeader("Retry-After", "7"),
						429),
				Arguments.of("500", Postpress.error(500, "errors/unexpected_error"), 500),
				Arguments.of("not JSON", WireMock.okForContentType("text/plain", "<html>oops</html>"), 502),
				Arguments.of("JSON but not a ChatList", WireMock.okJson("{\"object\":\"Chat\",\"id\":\"x\"}"), 502));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("upstreamErrors")
	void errorsAreNeverStored(String name, ResponseDefinitionBuilder failure, int expectedStatus) {
		postpress.stubFor(Postpress.chats().willReturn(failure));
		HttpResponse<String> error = this.proxy.get("/attendees/a/chats");
		assertThat(error.statusCode()).isEqualTo(expectedStatus);
		assertThat(error.headers().firstValue("Cache-Status")).isEmpty();
		int failedCalls = upstreamCalls();

		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(1, null)));
		HttpResponse<String> healed = this.proxy.get("/attendees/a/chats");

		assertThat(healed.statusCode()).isEqualTo(200);
		assertThat(cacheStatus(healed)).isEqualTo("chat-proxy; fwd=uri-miss; stored");
		assertThat(upstreamCalls()).isEqualTo(failedCalls + 1);
	}

	@Test
	void ifNoneMatchWithTheCurrentEtagAnswers304WithoutCallingUpstream() {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(1, null)));
		String etag = this.proxy.get("/attendees/a/chats").headers().firstValue("ETag").orElseThrow();

		HttpResponse<String> notModified = this.proxy.get("/attendees/a/chats", "If-None-Match", etag);
		HttpResponse<String> weak = this.proxy.get("/attendees/a/chats", "If-None-Match", "\"x\", W/" + etag);
		HttpResponse<String> other = this.proxy.get("/attendees/a/chats", "If-None-Match", "\"not-the-tag\"");

		assertThat(notModified.statusCode()).isEqualTo(304);
		assertThat(notModified.body()).isEmpty();
		assertThat(notModified.headers().firstValue("ETag")).hasValue(etag);
		assertThat(weak.statusCode()).isEqualTo(304);
		assertThat(other.statusCode()).isEqualTo(200);
		assertThat(other.body()).isEqualTo(Postpress.pageJson(1, null));
		assertThat(upstreamCalls()).isEqualTo(1);
	}

	@Test
	void noCacheFetchesAgainAndReplacesTheEntry() {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(1, null)));
		this.proxy.get("/attendees/a/chats");
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(2, "new")));

		HttpResponse<String> refreshed = this.proxy.get("/attendees/a/chats", "Cache-Control", "no-cache");
		HttpResponse<String> after = this.proxy.get("/attendees/a/chats");

		assertThat(cacheStatus(refreshed)).isEqualTo("chat-proxy; fwd=request; stored");
		assertThat(refreshed.body()).isEqualTo(Postpress.pageJson(2, "new"));
		assertThat(cacheStatus(after)).isEqualTo("chat-proxy; hit; ttl=30");
		assertThat(after.body()).isEqualTo(Postpress.pageJson(2, "new"));
		assertThat(upstreamCalls()).isEqualTo(2);
	}

	@Test
	void deleteCachesOnTheManagementPortClearsTheCache() {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(1, null)));
		this.proxy.get("/attendees/a/chats");
		assertThat(cacheStatus(this.proxy.get("/attendees/a/chats"))).startsWith("chat-proxy; hit");

		assertThat(this.proxy.management().send("DELETE", "/actuator/caches").statusCode()).isEqualTo(204);

		assertThat(cacheStatus(this.proxy.get("/attendees/a/chats"))).isEqualTo("chat-proxy; fwd=uri-miss; stored");
		assertThat(upstreamCalls()).isEqualTo(2);
	}

	@Test
	void applicationPortHasNoActuator() {
		assertThat(this.proxy.send("DELETE", "/actuator/caches").statusCode()).isEqualTo(404);
		assertThat(this.proxy.get("/actuator/caches").statusCode()).isEqualTo(404);
		assertThat(this.proxy.get("/actuator/prometheus").statusCode()).isEqualTo(404);
		assertThat(this.proxy.management().get("/actuator/caches").body()).contains("chats");
	}

	@Test
	void prometheusCountsHitsMissesAndEvictions() {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(1, null)));
		double hits = scrape("cache_gets_total", "cache=\"chats\"", "result=\"hit\"");
		double misses = scrape("cache_gets_total", "cache=\"chats\"", "result=\"miss\"");
		double evictions = scrape("cache_evictions_total", "cache=\"chats\"");

		this.proxy.get("/attendees/a/chats");
		this.proxy.get("/attendees/a/chats");

		assertThat(scrape("cache_gets_total", "cache=\"chats\"", "result=\"hit\"")).isEqualTo(hits + 1);
		assertThat(scrape("cache_gets_total", "cache=\"chats\"", "result=\"miss\"")).isEqualTo(misses + 1);

		this.proxy.ticker().advance(Duration.ofSeconds(30).plus(Duration.ofMinutes(10)));
		AsyncCache<Object, Object> cache = ((CaffeineCache) this.cacheManager.getCache(PageCacheConfiguration.CACHE))
			.getAsyncCache();
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			cache.synchronous().cleanUp();
			assertThat(scrape("cache_evictions_total", "cache=\"chats\"")).isEqualTo(evictions + 1);
		});
	}

	@Test
	void failedFetchDoesNotPoisonTheRequestsWaitingOnIt() throws Exception {
		UpstreamGate gate = Postpress.hold(Postpress.chats(), Postpress.error(500, "errors/unexpected_error"));
		double collapsedBefore = scrape("chatproxy_cache_collapsed_total", "cache=\"chats\"");

		// the first attempt fails only once all 10 requests wait on it
		List<HttpResponse<String>> responses = this.proxy.burst(10, "/attendees/a/chats",
				() -> await().atMost(Duration.ofSeconds(30))
					.until(() -> gate.arrived() == 1
							&& scrape("chatproxy_cache_collapsed_total", "cache=\"chats\"") - collapsedBefore == 9));

		assertThat(responses).allSatisfy((response) -> {
			assertThat(response.statusCode()).isEqualTo(500);
			assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
			assertThat(response.body()).contains("\"type\":\"errors/unexpected_error\"");
		});
		assertThat(upstreamCalls()).as("one fetch, with its retries").isEqualTo(3);

		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(1, null)));
		HttpResponse<String> healed = this.proxy.get("/attendees/a/chats");

		assertThat(healed.statusCode()).isEqualTo(200);
		assertThat(cacheStatus(healed)).isEqualTo("chat-proxy; fwd=uri-miss; stored");
	}

	/**
	 * Stores attendee a's page (one chat, cursor "old"), then has postpress give another
	 * answer and moves the cache clock.
	 */
	private void storeOldPageThenAnswer(ResponseDefinitionBuilder answer, Duration later) {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(1, "old")));
		this.proxy.get("/attendees/a/chats");
		postpress.stubFor(Postpress.chats().willReturn(answer));
		this.proxy.ticker().advance(later);
	}

	private static int upstreamCalls() {
		return postpress.findAll(getRequestedFor(urlPathMatching(Postpress.BASE_PATH + "/chat_attendees/.*"))).size();
	}

	private static String cacheStatus(HttpResponse<String> response) {
		return response.headers().firstValue("Cache-Status").orElse("(none)");
	}

	/**
	 * Sums the samples of a Prometheus series whose labels include all the given ones.
	 */
	private double scrape(String name, String... labels) {
		PrometheusScrape scrape = this.proxy.scrape();
		assertThat(scrape.has(name, labels)).as("series %s%s in the scrape", name, List.of(labels)).isTrue();
		return scrape.sum(name, labels);
	}

	/**
	 * Stale-while-revalidate and "a stale copy is never held by retries" (CONTRACT.md
	 * sections 4 and 6), end to end: the whole application on random ports, a fake
	 * postpress over HTTP, and a cache clock the tests move (default window of 30 s after
	 * a 30 s TTL).
	 */
	@ProxyIntegrationTest
	@TestMethodOrder(MethodOrderer.Random.class)
	@Nested
	@NestedTestConfiguration(NestedTestConfiguration.EnclosingConfiguration.OVERRIDE)
	class StaleWhileRevalidate {

		private static final AtomicInteger attendees = new AtomicInteger();

		/**
		 * An attendee of this test's own: a background retry or refresh another test left
		 * running stores and counts under its own key, never this one's.
		 */
		private final String attendee = "swr-" + attendees.incrementAndGet();

		private final String path = "/attendees/" + this.attendee + "/chats";

		private static final WireMockServer postpress = Postpress.server();

		@Autowired
		ProxyClient proxy;

		@AfterEach
		void letBackgroundFetchesEnd() {
			this.proxy.awaitNoFetchInFlight();
		}

		@Test
		void expiredPageIsAnsweredAtOnceWithHeadersConsistentWithItsAge() {
			storeOldPageAndExpireItAsPostpressHasANewOne(Duration.ofSeconds(40));

			HttpResponse<String> stale = this.proxy.get(this.path);

			assertThat(stale.statusCode()).isEqualTo(200);
			assertThat(stale.body()).isEqualTo(Postpress.pageJson(1, "old"));
			assertThat(cacheStatus(stale)).isEqualTo("chat-proxy; hit; ttl=-10; detail=stale-while-revalidate");
			assertThat(stale.headers().firstValue("Age")).hasValue("40");
			assertThat(stale.headers().firstValue("Cache-Control")).hasValue("private, max-age=0");
			assertThat(stale.headers().firstValue("ETag"))
				.hasValue(CachedPage.of(ChatList.read(Postpress.pageJson(1, "old").getBytes()), 0, 0).etag());
			awaitPage(2, "new");
		}

		@Test
		void concurrentRequestsForAnExpiredPageMakeOneBackgroundUpstreamCall() throws Exception {
			storePage(1, "old");
			// held until every request below has been answered: the refresh is in flight
			// throughout, however slow the machine
			UpstreamGate gate = Postpress.hold(Postpress.chats(), Postpress.page(2, "new"));
			this.proxy.ticker().advance(Duration.ofSeconds(31));
			double served = count("chatproxy.cache.stale.revalidate.served");
			double started = count("chatproxy.cache.refreshes", "result", "started");
			double succeeded = count("chatproxy.cache.refreshes", "result", "succeeded");

			List<HttpResponse<String>> responses;
			try {
				// the burst opens the gate once its requests are in flight: held until
				// all 20 were answered from the expired page
				responses = this.proxy.burst(20, this.path, () -> await().atMost(Duration.ofSeconds(30))
					.until(() -> count("chatproxy.cache.stale.revalidate.served") >= served + 20));
			}
			finally {
				gate.release();
			}

			assertThat(responses).allSatisfy((response) -> {
				assertThat(response.statusCode()).isEqualTo(200);
				assertThat(response.body()).isEqualTo(Postpress.pageJson(1, "old"));
				assertThat(cacheStatus(response)).isEqualTo("chat-proxy; hit; ttl=-1; detail=stale-while-revalidate");
			});
			assertThat(count("chatproxy.cache.stale.revalidate.served")).isEqualTo(served + 20);
			assertThat(count("chatproxy.cache.refreshes", "result", "started")).isEqualTo(started + 1);
			awaitPage(2, "new");
			assertThat(upstreamCalls()).as("one refresh").isEqualTo(1);
			assertThat(count("chatproxy.cache.refreshes", "result", "succeeded")).isEqualTo(succeeded + 1);
		}

		@Test
		void failedRefreshKeepsTheOldPageForStaleIfError() {
			answerStaleWhileARefreshFails(Postpress.error(500, "errors/unexpected_error"));
			HttpResponse<String> again = this.proxy.get(this.path);
			assertThat(again.body()).isEqualTo(Postpress.pageJson(1, "old"));
			assertThat(cacheStatus(again)).endsWith("detail=stale-while-revalidate");
			letBackgroundFetchesEnd();

			this.proxy.ticker().advance(Duration.ofSeconds(60));
			HttpResponse<String> pastTheWindow = this.proxy.get(this.path);

			CacheAssertions.assertStaleIfError(pastTheWindow, Postpress.pageJson(1, "old"), 65);
		}

		@Test
		void refreshRefusedByPostpressDropsThePage() {
			answerStaleWhileARefreshFails(Postpress.error(404, "errors/resource_not_found"));
			// the refresh is counted failed a moment before the page is dropped
			await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
				HttpResponse<String> refused = this.proxy.get(this.path);
				assertThat(refused.statusCode()).isEqualTo(404);
				assertThat(refused.headers().firstValue("Cache-Status")).isEmpty();
			});
		}

		@Test
		void noCacheWaitsForAFreshPage() {
			storeOldPageAndExpireItAsPostpressHasANewOne(Duration.ofSeconds(35));

			HttpResponse<String> refreshed = this.proxy.get(this.path, "Cache-Control", "no-cache");

			assertThat(refreshed.body()).isEqualTo(Postpress.pageJson(2, "new"));
			assertThat(cacheStatus(refreshed)).isEqualTo("chat-proxy; fwd=request; stored");
			assertThat(upstreamCalls()).isEqualTo(1);
		}

		@Test
		void pastTheWindowCallersWaitForTheUpstream() {
			storeOldPageAndExpireItAsPostpressHasANewOne(Duration.ofSeconds(60));

			HttpResponse<String> refetched = this.proxy.get(this.path);

			assertThat(refetched.body()).isEqualTo(Postpress.pageJson(2, "new"));
			assertThat(cacheStatus(refetched)).isEqualTo("chat-proxy; fwd=uri-miss; stored");
		}

		@Test
		void staleCopyIsAnsweredAsSoonAsTheFirstAttemptFailsAndTheRetryRefreshesTheCache() {
			storePage(1, "old");
			postpress.stubFor(Postpress.chats()
				.inScenario("retry")
				.whenScenarioStateIs(Scenario.STARTED)
				.willReturn(Postpress.error(503, "errors/service_unavailable").withHeader("Retry-After", "5"))
				.willSetStateTo("recovered"));
			// the second attempt is held until the stale answer is in: it is answered
			// first, whatever the machine's load
			UpstreamGate gate = Postpress.hold(Postpress.chats().inScenario("retry").whenScenarioStateIs("recovered"),
					Postpress.page(2, "new"));
			this.proxy.ticker().advance(Duration.ofSeconds(90));

			HttpResponse<String> stale;
			try {
				stale = this.proxy.get(this.path);
			}
			finally {
				gate.release();
			}

			CacheAssertions.assertStaleIfError(stale, Postpress.pageJson(1, "old"), 60);
			awaitPage(2, "new");
			assertThat(upstreamCalls()).isEqualTo(2);
		}

		/**
		 * Stores page "old", has postpress answer page "new" from then on, and moves the
		 * cache clock past the old page's TTL.
		 */
		private void storeOldPageAndExpireItAsPostpressHasANewOne(Duration later) {
			storePage(1, "old");
			postpress.stubFor(Postpress.chats().willReturn(Postpress.page(2, "new")));
			this.proxy.ticker().advance(later);
		}

		private void storePage(int items, String cursor) {
			postpress.stubFor(Postpress.chats().willReturn(Postpress.page(items, cursor)));
			assertThat(cacheStatus(this.proxy.get(this.path))).isEqualTo("chat-proxy; fwd=uri-miss; stored");
			postpress.resetAll();
		}

		/**
		 * Stores a page, lets it expire into the stale-while-revalidate window, and waits
		 * until the refresh its stale answer started has failed with the given answer.
		 */
		private void answerStaleWhileARefreshFails(ResponseDefinitionBuilder failure) {
			storePage(1, "old");
			postpress.stubFor(Postpress.chats().willReturn(failure));
			this.proxy.ticker().advance(Duration.ofSeconds(35));
			double failed = count("chatproxy.cache.refreshes", "result", "failed");

			assertThat(cacheStatus(this.proxy.get(this.path))).endsWith("detail=stale-while-revalidate");
			await().atMost(Duration.ofSeconds(10))
				.until(() -> count("chatproxy.cache.refreshes", "result", "failed") == failed + 1);
		}

		/**
		 * Waits until the page the background fetch stored is answered as a fresh hit.
		 */
		private void awaitPage(int items, String cursor) {
			await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
				HttpResponse<String> response = this.proxy.get(this.path);
				assertThat(response.body()).isEqualTo(Postpress.pageJson(items, cursor));
				assertThat(cacheStatus(response)).isEqualTo("chat-proxy; hit; ttl=30");
			});
		}

		private double count(String name, String... tags) {
			return this.proxy.meters().get(name).tags(tags).counter().count();
		}

		private int upstreamCalls() {
			return postpress
				.findAll(getRequestedFor(
						urlPathMatching(Postpress.BASE_PATH + "/chat_attendees/" + this.attendee + "/chats")))
				.size();
		}

		private static String cacheStatus(HttpResponse<String> response) {
			return response.headers().firstValue("Cache-Status").orElse("(none)");
		}

	}

}
