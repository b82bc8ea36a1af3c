package dev.chatproxy.system;

import java.util.concurrent.atomic.AtomicLong;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;

/**
 * Hands access-log lines to the appenders Spring Boot configured (plain or structured
 * console, file) on a background thread through a bounded queue, so that a slow or
 * blocked output never holds up a request thread; when the queue is full a line is
 * dropped and counted instead.
 */
final class AsyncAccessLogAppender extends AsyncAppender {

	static final String NAME = "ACCESS_ASYNC";

	/**
	 * Lines queued at most: about 2 s of a saturated single-core proxy, ~4 MB of events.
	 */
	static final int DEFAULT_QUEUE_SIZE = 8192;

	private final AtomicLong dropped = new AtomicLong();

	private AsyncAccessLogAppender() {
	}

	/**
	 * Routes one logger's events through a new asynchronous appender to the appenders of
	 * the root logger, in place of the root's own synchronous path.
	 * @param context the logback context Spring Boot configured
	 * @param loggerName the access log's logger
	 * @param queueSize lines queued at most before lines are dropped
	 * @return the started appender
	 */
	static AsyncAccessLogAppender install(LoggerContext context, String loggerName, int queueSize) {
		Logger logger = context.getLogger(loggerName);
		Appender<ILoggingEvent> existing = logger.getAppender(NAME);
		if (existing instanceof AsyncAccessLogAppender installed && installed.isStarted()) {
			return installed;
		}
		AsyncAccessLogAppender appender = new AsyncAccessLogAppender();
		appender.setContext(context);
		appender.setName(NAME);
		appender.setQueueSize(queueSize);
		// never wait for room: a full queue drops the line (counted in isDiscardable)
		appender.setNeverBlock(true);
		// discard only when the queue is full, never INFO lines early as AsyncAppender's
		// default does
		appender.setDiscardingThreshold(1);
		appender.setIncludeCallerData(false);
		appender.addAppender(new ToRootAppenders(context));
		appender.start();
		logger.detachAppender(NAME);
		logger.addAppender(appender);
		logger.setAdditive(false);
		return appender;
	}

	/**
	 * Returns the number of lines dropped because the queue was full.
	 * @return the count since start
	 */
	long dropped() {
		return this.dropped.get();
	}

	@Override
	protected boolean isDiscardable(ILoggingEvent event) {
		// called only when the queue has no room left (discarding threshold 1)
		this.dropped.incrementAndGet();
		return true;
	}

	/**
	 * The one output of the queue: whatever appenders the root logger has when a line is
	 * written (AsyncAppender accepts a single appender; the root may have a console and a
	 * file).
	 */
	private static final class ToRootAppenders extends UnsynchronizedAppenderBase<ILoggingEvent> {

		private final Logger root;

		ToRootAppenders(LoggerContext context) {
			setContext(context);
			setName(NAME + "_OUTPUT");
			this.root = context.getLogger(Logger.ROOT_LOGGER_NAME);
			start();
		}

		@Override
		protected void append(ILoggingEvent event) {
			this.root.callAppenders(event);
		}

	}

}
