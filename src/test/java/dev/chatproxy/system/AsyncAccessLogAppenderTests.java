package dev.chatproxy.system;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.awaitility.Awaitility.await;

/**
 * The access log's queue in a real logback context: lines reach the root's appenders with
 * their key-values and request id, and a blocked output never blocks the caller.
 */
class AsyncAccessLogAppenderTests {

	private final LoggerContext context = new LoggerContext();

	private final RecordingAppender output = new RecordingAppender();

	private final CountDownLatch release = new CountDownLatch(1);

	AsyncAccessLogAppenderTests() {
		// the MDC that RequestIds writes to, as in the application's own logging context
		this.context.setMDCAdapter(MDC.getMDCAdapter());
	}

	@AfterEach
	void stop() {
		this.release.countDown();
		this.context.stop();
		MDC.clear();
	}

	@Test
	void linesReachTheRootAppendersWithTheirKeyValuesAndRequestId() {
		this.release.countDown();
		attachOutput();
		AsyncAccessLogAppender appender = AsyncAccessLogAppender.install(this.context, AccessLog.LOGGER_NAME, 16);
		MDC.put(RequestIds.MDC_KEY, "req-1");
		this.context.getLogger(AccessLog.LOGGER_NAME)
			.atInfo()
			.addKeyValue("url.path", "/attendees/a/chats")
			.log("GET {} 200", "/attendees/a/chats");
		await().atMost(Duration.ofSeconds(5)).until(() -> this.output.events.size() == 1);
		ILoggingEvent event = this.output.events.get(0);
		assertThat(event.getFormattedMessage()).isEqualTo("GET /attendees/a/chats 200");
		assertThat(event.getMDCPropertyMap()).containsEntry(RequestIds.MDC_KEY, "req-1");
		assertThat(event.getKeyValuePairs()).extracting((pair) -> pair.key + "=" + pair.value)
			.containsExactly("url.path=/attendees/a/chats");
		assertThat(event.getThreadName()).isEqualTo(Thread.currentThread().getName());
		assertThat(appender.dropped()).isZero();
	}

	@Test
	void aBlockedOutputDropsAndCountsLinesInsteadOfBlockingTheCaller() {
		attachOutput();
		AsyncAccessLogAppender appender = AsyncAccessLogAppender.install(this.context, AccessLog.LOGGER_NAME, 8);
		Logger logger = this.context.getLogger(AccessLog.LOGGER_NAME);
		assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
			for (int i = 0; i < 1000; i++) {
				logger.info("line {}", i);
			}
		});
		// what got through: the queue, plus at most one queue's worth the worker had
		// already
		// taken before the output blocked it
		assertThat(appender.dropped()).isBetween(1000L - 2 * 8, 1000L - 8);
		this.release.countDown();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.output.events.size() == 1000 - appender.dropped());
		assertThat(this.output.events.get(0).getFormattedMessage()).isEqualTo("line 0");
	}

	@Test
	void theAccessLoggerNoLongerWritesSynchronouslyThroughTheRoot() {
		this.release.countDown();
		attachOutput();
		AsyncAccessLogAppender first = AsyncAccessLogAppender.install(this.context, AccessLog.LOGGER_NAME, 8);
		AsyncAccessLogAppender again = AsyncAccessLogAppender.install(this.context, AccessLog.LOGGER_NAME, 8);
		Logger logger = this.context.getLogger(AccessLog.LOGGER_NAME);
		assertThat(again).isSameAs(first);
		assertThat(logger.isAdditive()).isFalse();
		logger.info("once");
		this.context.getLogger("dev.chatproxy.other").info("other");
		await().atMost(Duration.ofSeconds(5)).until(() -> this.output.events.size() == 2);
		assertThat(this.output.events).extracting(ILoggingEvent::getFormattedMessage)
			.containsExactlyInAnyOrder("once", "other");
	}

	private void attachOutput() {
		this.output.setContext(this.context);
		this.output.start();
		this.context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(this.output);
	}

	/** A root appender that records events, after waiting until the test releases it. */
	private final class RecordingAppender extends AppenderBase<ILoggingEvent> {

		final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();

		@Override
		protected void append(ILoggingEvent event) {
			try {
				AsyncAccessLogAppenderTests.this.release.await(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.events.add(event);
		}

	}

}
