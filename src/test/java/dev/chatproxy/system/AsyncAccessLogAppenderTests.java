package dev.chatproxy.system;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.LevelFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The access log's queue in a real logback context: lines reach the root's appenders with
 * their key-values and request id, a stream appender gets them in few whole-line writes,
 * stopping writes what is queued, and a blocked output never blocks the caller.
 */
class AsyncAccessLogAppenderTests {

	private final LoggerContext context = new LoggerContext();

	private final RecordingAppender output = new RecordingAppender();

	private final CountDownLatch release = new CountDownLatch(1);

	private final Logger accessLogger = this.context.getLogger(AccessLog.LOGGER_NAME);

	AsyncAccessLogAppenderTests() {
		// the MDC that RequestIds writes to, as in the application's own logging context
		this.context.setMDCAdapter(MDC.getMDCAdapter());
		this.context.start();
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
		AsyncAccessLogAppender appender = install(16);
		MDC.put(RequestIds.MDC_KEY, "req-1");
		this.accessLogger.atInfo()
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
	void aFullQueueDropsAndCountsLinesInsteadOfBlockingTheCaller() {
		attachOutput();
		AsyncAccessLogAppender appender = install(8);
		assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
			for (int i = 0; i < 1000; i++) {
				this.accessLogger.info("line {}", i);
			}
		});
		// what got through: the queue, plus at most one queue's worth that the writer had
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
		AsyncAccessLogAppender first = install(8);
		AsyncAccessLogAppender again = install(8);
		assertThat(again).isSameAs(first);
		assertThat(this.accessLogger.isAdditive()).isFalse();
		this.accessLogger.info("once");
		this.context.getLogger("dev.chatproxy.other").info("other");
		await().atMost(Duration.ofSeconds(5)).until(() -> this.output.events.size() == 2);
		assertThat(this.output.events).extracting(ILoggingEvent::getFormattedMessage)
			.containsExactlyInAnyOrder("once", "other");
	}

	@Test
	void aStreamAppenderGetsWholeLinesInOrderWithTheirRequestIds() {
		CountingStream stream = attachedCountingStream();
		AsyncAccessLogAppender appender = install(4096);
		logLines(1000);
		await().atMost(Duration.ofSeconds(5)).until(() -> stream.lines().size() == 1000);
		assertThat(stream.lines()).containsExactlyElementsOf(expectedLines(1000));
		assertThat(appender.dropped()).isZero();
	}

	@Test
	void aBurstOfLinesIsWrittenWithFarFewerWritesThanLines() {
		CountingStream stream = attachedCountingStream();
		install(4096);
		logLines(1000);
		await().atMost(Duration.ofSeconds(5)).until(() -> stream.lines().size() == 1000);
		assertThat(stream.writes.get()).isLessThan(1000 / 10);
	}

	@Test
	void stoppingTheContextWritesTheLinesStillQueuedBeforeTheOutputsClose() {
		CountingStream stream = attachedCountingStream();
		install(4096);
		logLines(1000);
		this.context.stop();
		assertThat(stream.lines()).containsExactlyElementsOf(expectedLines(1000));
	}

	@Test
	void linesOfOtherLoggersComeOnlyBetweenWholeLines() throws InterruptedException {
		// a stream that takes its time over each write, so that unguarded writes would
		// mix
		CountingStream stream = new CountingStream(new ByteArrayOutputStream()) {

			@Override
			public void write(byte[] bytes, int offset, int length) {
				for (int i = 0; i < length; i++) {
					write(bytes[offset + i]);
					Thread.yield();
				}
			}

		};
		attachStream(stream);
		install(4096);
		Thread other = new Thread(() -> IntStream.range(0, 500)
			.forEach((i) -> this.context.getLogger("dev.chatproxy.other").info("other {}", i)));
		other.start();
		logLines(500);
		other.join();
		await().atMost(Duration.ofSeconds(10)).until(() -> stream.lines().size() == 1000);
		assertThat(stream.lines()).allMatch((line) -> line.matches("req-\\d+ line \\d+| other \\d+"));
		assertThat(stream.lines()).filteredOn((line) -> line.startsWith("req-"))
			.containsExactlyElementsOf(expectedLines(500));
	}

	@Test
	void linesGoToTheAppendersTheRootHasWhenTheyAreWritten() {
		CountingStream first = new CountingStream(new ByteArrayOutputStream());
		OutputStreamAppender<ILoggingEvent> firstAppender = attachStream(first);
		install(16);
		logLines(1);
		await().atMost(Duration.ofSeconds(5)).until(() -> first.lines().size() == 1);
		// as when Spring Boot reconfigures logging
		this.context.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(firstAppender);
		CountingStream second = new CountingStream(new ByteArrayOutputStream());
		attachStream(second);
		logLines(2);
		await().atMost(Duration.ofSeconds(5)).until(() -> second.lines().size() == 2);
		assertThat(first.lines()).containsExactly("req-0 line 0");
	}

	@Test
	void aStreamAppendersOwnFiltersStillApply() {
		CountingStream stream = new CountingStream(new ByteArrayOutputStream());
		OutputStreamAppender<ILoggingEvent> appender = attachStream(stream);
		LevelFilter noInfo = new LevelFilter();
		noInfo.setLevel(Level.INFO);
		noInfo.setOnMatch(FilterReply.DENY);
		noInfo.start();
		appender.addFilter(noInfo);
		install(16);
		this.accessLogger.info("dropped by the filter");
		this.accessLogger.warn("kept");
		await().atMost(Duration.ofSeconds(5)).until(() -> !stream.lines().isEmpty());
		assertThat(stream.lines()).containsExactly(" kept");
	}

	private void logLines(int count) {
		for (int i = 0; i < count; i++) {
			MDC.put(RequestIds.MDC_KEY, "req-" + i);
			this.accessLogger.info("line {}", i);
		}
		MDC.remove(RequestIds.MDC_KEY);
	}

	private static List<String> expectedLines(int count) {
		return IntStream.range(0, count).mapToObj((i) -> "req-" + i + " line " + i).toList();
	}

	private void attachOutput() {
		this.output.setContext(this.context);
		this.output.start();
		this.context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(this.output);
	}

	private AsyncAccessLogAppender install(int capacity) {
		return AsyncAccessLogAppender.install(this.context, AccessLog.LOGGER_NAME, capacity);
	}

	private CountingStream attachedCountingStream() {
		CountingStream stream = new CountingStream(new ByteArrayOutputStream());
		attachStream(stream);
		return stream;
	}

	private OutputStreamAppender<ILoggingEvent> attachStream(OutputStream stream) {
		PatternLayoutEncoder encoder = new PatternLayoutEncoder();
		encoder.setContext(this.context);
		encoder.setPattern("%X{" + RequestIds.MDC_KEY + "} %msg%n");
		encoder.start();
		OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
		appender.setContext(this.context);
		appender.setEncoder(encoder);
		appender.setOutputStream(stream);
		appender.start();
		this.context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
		return appender;
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

	/** An output stream that counts the writes it gets. */
	private static class CountingStream extends OutputStream {

		final AtomicInteger writes = new AtomicInteger();

		private final ByteArrayOutputStream bytes;

		CountingStream(ByteArrayOutputStream bytes) {
			this.bytes = bytes;
		}

		@Override
		public void write(int b) {
			this.bytes.write(b);
		}

		@Override
		public void write(byte[] b, int off, int len) {
			this.writes.incrementAndGet();
			this.bytes.write(b, off, len);
		}

		List<String> lines() {
			String text = this.bytes.toString(StandardCharsets.UTF_8);
			// whole lines only: one still being written has no line break yet
			return text.substring(0, text.lastIndexOf('\n') + 1).lines().toList();
		}

	}

}
