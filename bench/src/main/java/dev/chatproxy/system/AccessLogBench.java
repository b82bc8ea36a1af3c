package dev.chatproxy.system;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.MDC;

/**
 * The access log's cost per line (issue 24), one way per JVM (bench/access-log.sh runs them
 * alternately, pinned to one core, stdout to a file): {@code sync}, the root's console
 * appender on the request thread; {@code ours}, {@link AsyncAccessLogAppender} (batched
 * writes); {@code logback}, Logback's own {@link AsyncAppender} ({@code neverBlock},
 * {@code discardingThreshold=0}) in front of a console appender with
 * {@code immediateFlush=false}. The logging thread writes lines like the access log's
 * (key-values, request id) in bursts of 50 with a 1 ms pause between bursts, about what a
 * saturated one-core proxy logs; prints the process CPU of the measured lines (all
 * threads, the writer's included) on stderr, for the script to divide by the lines
 * written.
 */
public final class AccessLogBench {

	private static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %5p ${PID:- } --- [%15.15t] %-40.40logger{39} : [%X{requestId:-}] %m%n";

	private AccessLogBench() {
	}

	public static void main(String[] args) {
		String way = args[0];
		int lines = Integer.parseInt(args[1]);
		LoggerContext context = new LoggerContext();
		context.setMDCAdapter(MDC.getMDCAdapter());
		context.start();
		Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
		ConsoleAppender<ILoggingEvent> console = console(context, !way.equals("logback"));
		Logger access = context.getLogger(AccessLog.LOGGER_NAME);
		switch (way) {
			case "sync" -> root.addAppender(console);
			case "ours" -> {
				root.addAppender(console);
				AsyncAccessLogAppender.install(context, AccessLog.LOGGER_NAME,
						AsyncAccessLogAppender.DEFAULT_QUEUE_SIZE);
			}
			case "logback" -> {
				AsyncAppender async = new AsyncAppender();
				async.setContext(context);
				async.setNeverBlock(true);
				async.setDiscardingThreshold(0);
				async.setQueueSize(AsyncAccessLogAppender.DEFAULT_QUEUE_SIZE);
				async.addAppender(console);
				async.start();
				access.addAppender(async);
				access.setAdditive(false);
			}
			default -> throw new IllegalArgumentException(way);
		}
		// warm-up, then the measured lines
		log(access, lines / 4, "/warm-up");
		long cpu0 = processCpuNanos();
		log(access, lines, "/attendees/att_01HXYZ4QK3WJ8FN3M6QH7TZ8GR/chats");
		context.stop();
		long cpu = processCpuNanos() - cpu0;
		System.err.printf("RESULT way=%s cpu_ns=%d%n", way, cpu);
	}

	private static ConsoleAppender<ILoggingEvent> console(LoggerContext context, boolean immediateFlush) {
		PatternLayoutEncoder encoder = new PatternLayoutEncoder();
		encoder.setContext(context);
		encoder.setPattern(PATTERN);
		encoder.start();
		ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
		console.setContext(context);
		console.setEncoder(encoder);
		console.setImmediateFlush(immediateFlush);
		console.start();
		return console;
	}

	private static void log(Logger access, int lines, String path) {
		for (int i = 0; i < lines; i++) {
			MDC.put(RequestIds.MDC_KEY, "3f2a9c1e5b7d4a60");
			access.atInfo()
				.addKeyValue("http.request.method", "GET")
				.addKeyValue("url.path", path)
				.addKeyValue("http.response.status_code", 200)
				.addKeyValue("event.duration_ms", "0.412")
				.addKeyValue("cache_status", "chat-proxy; hit; ttl=583")
				.log("{} {} {} {}ms cache=\"{}\"", "GET", path, 200,
						"0.412", "chat-proxy; hit; ttl=583");
			MDC.remove(RequestIds.MDC_KEY);
			if (i % 50 == 49) {
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
			}
		}
	}

	private static long processCpuNanos() {
		return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
			.getProcessCpuTime();
	}

}
