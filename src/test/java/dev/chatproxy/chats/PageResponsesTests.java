package dev.chatproxy.chats;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;

import dev.chatproxy.cache.CacheStatus;
import dev.chatproxy.cache.CachedPage;
import dev.chatproxy.cache.Served;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The headers of a served page (CONTRACT.md section 3), case by case:
 * {@code Cache-Status} for each way a page is obtained, {@code Age} and
 * {@code Cache-Control} from the page's age, and {@code If-None-Match} answered with a
 * 304.
 */
class PageResponsesTests {

	private static final String ETAG = "\"tag-1\"";

	private static final byte[] BODY = "{\"object\":\"ChatList\",\"items\":[],\"cursor\":null}"
		.getBytes(StandardCharsets.UTF_8);

	@ParameterizedTest(name = "{0}, {1} s old -> {2}")
	@CsvSource(delimiter = '|', textBlock = """
			HIT       | 0    | chat-proxy; hit; ttl=30                                | 0  | private, max-age=30
			HIT       | 10.5 | chat-proxy; hit; ttl=19                                | 10 | private, max-age=19
			STORED    | 0    | chat-proxy; fwd=uri-miss; stored                       | 0  | private, max-age=30
			REFRESHED | 0    | chat-proxy; fwd=request; stored                        | 0  | private, max-age=30
			COLLAPSED | 0    | chat-proxy; fwd=uri-miss; collapsed                    | 0  | private, max-age=30
			STALE     | 45   | chat-proxy; hit; ttl=-15; detail=stale-if-error        | 45 | private, max-age=0
			STALE     | 30.2 | chat-proxy; hit; ttl=-1; detail=stale-if-error         | 30 | private, max-age=0
			""")
	void describesHowAndHowLongAgoThePageWasObtained(CacheStatus status, double ageSeconds, String cacheStatus,
			String age, String cacheControl) {
		ResponseEntity<byte[]> response = PageResponses.of(served(status, ageSeconds), null);

		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(response.getBody()).isEqualTo(BODY);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_JSON);
		assertThat(response.getHeaders().getFirst("Cache-Status")).isEqualTo(cacheStatus);
		assertThat(response.getHeaders().getFirst("Age")).isEqualTo(age);
		assertThat(response.getHeaders().getCacheControl()).isEqualTo(cacheControl);
		assertThat(response.getHeaders().getETag()).isEqualTo(ETAG);
	}

	@ParameterizedTest(name = "If-None-Match: {0} -> {1}")
	@CsvSource(delimiter = '|', nullValues = "-", textBlock = """
			-                           | 200
			'"tag-1"'                   | 304
			'W/"tag-1"'                 | 304
			'"other", "tag-1"'          | 304
			'"other" , W/"tag-1"'       | 304
			'*'                         | 304
			'"other"'                   | 200
			'"tag-10"'                  | 200
			'tag-1'                     | 200
			""")
	void answersNotModifiedWhenIfNoneMatchNamesTheCurrentTag(String ifNoneMatch, int status) {
		ResponseEntity<byte[]> response = PageResponses.of(served(CacheStatus.HIT, 1), ifNoneMatch);

		assertThat(response.getStatusCode().value()).isEqualTo(status);
		assertThat(response.getHeaders().getETag()).isEqualTo(ETAG);
		assertThat(response.getHeaders().getFirst("Cache-Status")).isEqualTo("chat-proxy; hit; ttl=29");
		if (status == 304) {
			assertThat(response.getBody()).isNull();
		}
	}

	@ParameterizedTest(name = "Cache-Control: {0} -> refresh {1}")
	@CsvSource(delimiter = '|', nullValues = "-", textBlock = """
			-                          | false
			no-cache                   | true
			No-Cache                   | true
			max-age=0                  | true
			'max-age=0, private'       | true
			'private, no-cache'        | true
			'no-store'                 | false
			'max-age=10'               | false
			'no-cache-please'          | false
			""")
	void asksForRefreshOnNoCacheOrMaxAgeZero(String cacheControl, boolean refresh) {
		assertThat(PageResponses.asksForRefresh(cacheControl)).isEqualTo(refresh);
	}

	private static Served served(CacheStatus status, double ageSeconds) {
		long ageNanos = (long) (ageSeconds * 1_000_000_000L);
		long ttlNanos = Duration.ofSeconds(30).toNanos();
		return new Served(new CachedPage(BODY, ETAG, 0, ttlNanos, Set.of(), Set.of()), status, ageNanos,
				ttlNanos - ageNanos);
	}

}
