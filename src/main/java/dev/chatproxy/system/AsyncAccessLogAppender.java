package dev.chatproxy.system;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.spi.FilterReply;
import org.jspecify.annotations.Nullable;

/**
 * Hands access-log lines to the appenders Spring Boot configured (plain or structured
 * console, file) on a background thread through a bounded queue, so that a slow or
 * blocked output never holds up a request thread; when the queue is full a line is
 * dropped and counted instead. The thread wakes every few milliseconds, not per line, and
 * writes what gathered with one write per output.
 */
final class AsyncAccessLogAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

	static final String NAME = "ACCESS_ASYNC";

	/**
	 * Lines queued at most: about 2 s of a saturated single-core proxy, ~4 MB of events.
	 */
	static final int DEFAULT_QUEUE_SIZE = 8192;

	/** How long lines gather before they are written (unless the queue is half full). */
	private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

	/** How long {@link #stop()} waits for the queued lines to be written. */
	private static final long STOP_MILLIS = 2000;

	private final ArrayBlockingQueue<ILoggingEvent> queue;

	private final int wakeAt;

	private final ToRootAppenders output;

	private final AtomicLong dropped = new AtomicLong();

	private volatile @Nullable Thread writer;

	private volatile boolean lingering;

	private AsyncAccessLogAppender(LoggerContext context, int queueSize) {
		setContext(context);
		setName(NAME);
		this.queue = new ArrayBlockingQueue<>(queueSize);
		this.wakeAt = Math.max(1, queueSize / 2);
		this.output = new ToRootAppenders(context);
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
		AsyncAccessLogAppender appender = new AsyncAccessLogAppender(context, queueSize);
		appender.start();
		// stopped (and so drained) when the context stops or resets, before the root's
		// appenders are
		context.register(appender);
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
	public void start() {
		if (isStarted()) {
			return;
		}
		super.start();
		Thread thread = new Thread(this::writeUntilStopped, "access-log");
		thread.setDaemon(true);
		this.writer = thread;
		thread.start();
	}

	@Override
	protected void append(ILoggingEvent event) {
		// thread name, MDC (request id) and message are taken here, on the request thread
		event.prepareForDeferredProcessing();
		if (!this.queue.offer(event)) {
			this.dropped.incrementAndGet();
			return;
		}
		// no wake-up per line: only when the lines risk filling the queue before the
		// writer's next round
		Thread thread = this.writer;
		if (this.lingering && thread != null && this.queue.size() >= this.wakeAt) {
			LockSupport.unpark(thread);
		}
	}

	/** Writes the lines still queued, then stops. */
	@Override
	public void stop() {
		if (!isStarted()) {
			return;
		}
		super.stop();
		Thread thread = this.writer;
		if (thread != null && thread != Thread.currentThread()) {
			LockSupport.unpark(thread);
			try {
				thread.join(STOP_MILLIS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			if (thread.isAlive()) {
				addWarn("Access-log lines still queued after " + STOP_MILLIS + " ms were not written");
			}
		}
	}

	private void writeUntilStopped() {
		List<ILoggingEvent> batch = new ArrayList<>();
		while (isStarted()) {
			// set before the queue is looked at, so a line offered after the look unparks
			this.lingering = true;
			if (this.queue.size() < this.wakeAt) {
				LockSupport.parkNanos(this, LINGER_NANOS);
			}
			this.lingering = false;
			writeQueued(batch);
		}
		while (!this.queue.isEmpty()) {
			writeQueued(batch);
		}
	}

	private void writeQueued(List<ILoggingEvent> batch) {
		if (this.queue.drainTo(batch) > 0) {
			try {
				this.output.write(batch);
			}
			catch (RuntimeException ex) {
				addError("Failed to write " + batch.size() + " access-log lines", ex);
			}
			batch.clear();
		}
	}

	/**
	 * Writes batches of lines to whatever appenders the root logger has at the time: a
	 * plain console or file appender gets each batch encoded with its own encoder and
	 * written with one write and one flush, under its own stream lock so that lines of
	 * other loggers only come between whole lines; any other appender (a rolling file,
	 * whose rollover checks run per line) gets the lines one by one.
	 */
	private static final class ToRootAppenders extends ContextAwareBase {

		/** Bytes written at most in one go, so that other loggers never wait long. */
		private static final int CHUNK = 64 * 1024;

		private static final @Nullable Field STREAM_WRITE_LOCK = streamWriteLockField();

		private final Logger root;

		private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(CHUNK + 8 * 1024);

		private boolean failureReported;

		ToRootAppenders(LoggerContext context) {
			setContext(context);
			this.root = context.getLogger(Logger.ROOT_LOGGER_NAME);
		}

		void write(List<ILoggingEvent> batch) {
			// looked up per batch: Spring Boot may have reconfigured logging since the
			// last
			for (Iterator<Appender<ILoggingEvent>> it = this.root.iteratorForAppenders(); it.hasNext();) {
				Appender<ILoggingEvent> appender = it.next();
				ReentrantLock lock = streamWriteLock(appender);
				if (lock != null) {
					writeInOneGo((OutputStreamAppender<ILoggingEvent>) appender, lock, batch);
				}
				else {
					for (ILoggingEvent event : batch) {
						appender.doAppend(event);
					}
				}
			}
		}

		private void writeInOneGo(OutputStreamAppender<ILoggingEvent> appender, ReentrantLock lock,
				List<ILoggingEvent> batch) {
			Encoder<ILoggingEvent> encoder = appender.getEncoder();
			for (ILoggingEvent event : batch) {
				if (appender.getFilterChainDecision(event) != FilterReply.DENY) {
					byte[] line = encoder.encode(event);
					if (line != null) {
						this.buffer.write(line, 0, line.length);
					}
					if (this.buffer.size() >= CHUNK) {
						writeBuffer(appender, lock);
					}
				}
			}
			writeBuffer(appender, lock);
		}

		private void writeBuffer(OutputStreamAppender<ILoggingEvent> appender, ReentrantLock lock) {
			if (this.buffer.size() == 0) {
				return;
			}
			lock.lock();
			try {
				// checked under the lock: stopping the appender closes its stream under
				// it
				OutputStream stream = appender.getOutputStream();
				if (appender.isStarted() && stream != null) {
					this.buffer.writeTo(stream);
					stream.flush();
				}
			}
			catch (IOException ex) {
				if (!this.failureReported) {
					this.failureReported = true;
					addError("Failed to write access-log lines to " + appender.getName(), ex);
				}
			}
			finally {
				lock.unlock();
				this.buffer.reset();
			}
		}

		/**
		 * Returns the lock that a console or plain file appender holds while it writes,
		 * or null when its lines have to go one by one through {@code doAppend}: its
		 * subclasses may act per line (a rolling file checks for rollover, a prudent file
		 * locks the file).
		 */
		private static @Nullable ReentrantLock streamWriteLock(Appender<ILoggingEvent> appender) {
			Class<?> type = appender.getClass();
			boolean plain = type == ConsoleAppender.class || type == OutputStreamAppender.class
					|| (type == FileAppender.class && !((FileAppender<?>) appender).isPrudent());
			if (!plain || STREAM_WRITE_LOCK == null || !appender.isStarted()
					|| ((OutputStreamAppender<?>) appender).getEncoder() == null) {
				return null;
			}
			try {
				return (ReentrantLock) STREAM_WRITE_LOCK.get(appender);
			}
			catch (IllegalAccessException ex) {
				return null;
			}
		}

		/**
		 * Returns logback's protected {@code OutputStreamAppender.streamWriteLock} (1.5),
		 * or null if this logback has none that can be taken.
		 */
		private static @Nullable Field streamWriteLockField() {
			try {
				Field field = OutputStreamAppender.class.getDeclaredField("streamWriteLock");
				if (field.getType() != ReentrantLock.class) {
					return null;
				}
				field.setAccessible(true);
				return field;
			}
			catch (ReflectiveOperationException | RuntimeException ex) {
				return null;
			}
		}

	}

}
