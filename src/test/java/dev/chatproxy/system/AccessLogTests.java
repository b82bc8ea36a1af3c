package dev.chatproxy.system;

import java.util.ArrayList;
import java.util.List;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The access log's line per request, and its sampling of cache hits: one hit in N gets a
 * line, misses, stale answers and errors always do.
 */
class AccessLogTests {

	private final Logger logger = (Logger) LoggerFactory.getLogger(AccessLog.LOGGER_NAME);

	private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

	@BeforeEach
	void listen() {
		this.lines.start();
		this.logger.addAppender(this.lines);
	}

	@AfterEach
	void stopListening() {
		this.logger.detachAppender(this.lines);
	}

	@Test
	void everyRequestHasItsLineByDefault() throws Exception {
		AccessLog log = new AccessLog(1);

		for (int i = 0; i < 5; i++) {
			answer(log, 200, "chat-proxy; hit; ttl=30");
		}
		answer(log, 200, "chat-proxy; fwd=uri-miss; stored");

		assertThat(this.lines.list).hasSize(6);
		assertThat(this.lines.list.get(0).getFormattedMessage()).isEqualTo("GET /attendees/att_1/chats 200 "
				+ millis(this.lines.list.get(0)) + "ms cache=\"chat-proxy; hit; ttl=30\"");
	}

	@Test
	void oneHitInNHasALineAndEveryOtherAnswerHasItsOwn() throws Exception {
		AccessLog log = new AccessLog(4);
		List<String> expected = new ArrayList<>();

		for (int i = 0; i < 12; i++) {
			answer(log, 200, "chat-proxy; hit; ttl=30");
			if (i % 4 == 0) {
				expected.add("chat-proxy; hit; ttl=30");
			}
			answer(log, 200, "chat-proxy; fwd=uri-miss; stored");
			expected.add("chat-proxy; fwd=uri-miss; stored");
		}
		answer(log, 200, "chat-proxy; fwd=uri-miss; fwd-status=503; stale");
		expected.add("chat-proxy; fwd=uri-miss; fwd-status=503; stale");
		answer(log, 400, null);
		expected.add("-");
		answer(log, 503, "chat-proxy; hit");
		expected.add("chat-proxy; hit");

		assertThat(this.lines.list)
			.extracting((line) -> line.getKeyValuePairs()
				.stream()
				.filter((pair) -> pair.key.equals("cache_status"))
				.findFirst()
				.orElseThrow().value)
			.containsExactlyElementsOf(expected);
	}

	private static void answer(AccessLog log, int status, String cacheStatus) throws Exception {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/attendees/att_1/chats");
		MockHttpServletResponse response = new MockHttpServletResponse();
		log.doFilter(request, response, (req, res) -> {
			HttpServletResponse answer = (HttpServletResponse) res;
			answer.setStatus(status);
			if (cacheStatus != null) {
				answer.setHeader("Cache-Status", cacheStatus);
			}
		});
	}

	private static String millis(ILoggingEvent line) {
		return String.valueOf(line.getKeyValuePairs()
			.stream()
			.filter((pair) -> pair.key.equals("event.duration_ms"))
			.findFirst()
			.orElseThrow().value);
	}

}
