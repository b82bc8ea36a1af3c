package dev.chatproxy.system;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

import ch.qos.logback.classic.LoggerContext;
import io.micrometer.tracing.Span;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.filter.ServerHttpObservationFilter;

/**
 * One log line per request, written when its answer is complete: method, path, status,
 * latency, cache status and (through the logging context) request id and trace ids. Query
 * strings are left out: they carry cursors and account ids. Lines are written by a
 * background thread (see {@link AsyncAccessLogAppender}), so that logging never
 * serializes the requests. With {@code proxy.access-log.hit-sampling} N above 1, one
 * cache hit in N gets its line (misses, stale answers and errors always do), so that a
 * busy replica's log stays small.
 */
class AccessLog extends OncePerRequestFilter {

	static final String LOGGER_NAME = "dev.chatproxy.access";

	private static final Logger logger = LoggerFactory.getLogger(LOGGER_NAME);

	/** The logging context's keys of Spring Boot's log correlation. */
	private static final String TRACE_ID = "traceId";

	private static final String SPAN_ID = "spanId";

	private static final String STARTED_AT = AccessLog.class.getName() + ".startedAt";

	private volatile @Nullable AsyncAccessLogAppender appender;

	private final int hitSampling;

	private final AtomicLong hits = new AtomicLong();

	AccessLog(int hitSampling) {
		this.hitSampling = hitSampling;
	}

	@Override
	protected void initFilterBean() {
		if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
			this.appender = AsyncAccessLogAppender.install(context, LOGGER_NAME,
					AsyncAccessLogAppender.DEFAULT_QUEUE_SIZE);
		}
	}

	/**
	 * Returns how many lines were dropped because the output could not keep up.
	 * @return the count since this filter started
	 */
	long droppedLines() {
		AsyncAccessLogAppender current = this.appender;
		return (current != null) ? current.dropped() : 0;
	}

	@Override
	protected boolean shouldNotFilterAsyncDispatch() {
		return false;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (request.getAttribute(STARTED_AT) == null) {
			request.setAttribute(STARTED_AT, System.nanoTime());
		}
		try {
			chain.doFilter(request, response);
		}
		finally {
			String cacheStatus = response.getHeader("Cache-Status");
			if (!request.isAsyncStarted() && logger.isInfoEnabled() && logged(response.getStatus(), cacheStatus)) {
				long micros = (System.nanoTime() - (long) request.getAttribute(STARTED_AT)) / 1000;
				String millis = millis(micros);
				boolean traced = traced(request);
				logger.atInfo()
					.addKeyValue("http.request.method", request.getMethod())
					.addKeyValue("url.path", request.getRequestURI())
					.addKeyValue("http.response.status_code", response.getStatus())
					.addKeyValue("event.duration_ms", millis)
					.addKeyValue("cache_status", (cacheStatus != null) ? cacheStatus : "-")
					.log("{} {} {} {}ms cache=\"{}\"", request.getMethod(), request.getRequestURI(),
							response.getStatus(), millis, (cacheStatus != null) ? cacheStatus : "-");
				if (traced) {
					MDC.remove(TRACE_ID);
					MDC.remove(SPAN_ID);
				}
			}
		}
	}

	/**
	 * Whether this request gets its line: always, but for all cache hits but one in
	 * {@code hitSampling}.
	 */
	private boolean logged(int status, @Nullable String cacheStatus) {
		if (this.hitSampling == 1 || status >= 400 || cacheStatus == null || !cacheStatus.contains("; hit")) {
			return true;
		}
		return this.hits.getAndIncrement() % this.hitSampling == 0;
	}

	/**
	 * Puts the request's trace and span ids in the logging context for its line, when the
	 * server observation (which may run outside this filter) has ended its scope already.
	 * @return whether ids were put, to be removed after the line
	 */
	private static boolean traced(HttpServletRequest request) {
		String current = MDC.get(TRACE_ID);
		if (current != null && !current.isEmpty()) {
			return false;
		}
		Span span = ServerHttpObservationFilter.findObservationContext(request).map(ObservedSpans::of).orElse(null);
		// not Span.isNoop(): with OpenTelemetry that means "not recording", which an
		// ended span (the usual case here) and an unsampled one both are; their ids
		// still identify the request
		if (span == null || !isValid(span.context().traceId()) || !isValid(span.context().spanId())) {
			return false;
		}
		MDC.put(TRACE_ID, span.context().traceId());
		MDC.put(SPAN_ID, span.context().spanId());
		return true;
	}

	/**
	 * Whether an id names a trace or span: a no-op span's ids are empty, an invalid
	 * OpenTelemetry span's all zeros.
	 */
	private static boolean isValid(String id) {
		for (int i = 0; i < id.length(); i++) {
			if (id.charAt(i) != '0') {
				return true;
			}
		}
		return false;
	}

	private static String millis(long micros) {
		// what String.format("%d.%03d") gives, at a fraction of its cost on every request
		long fraction = micros % 1000;
		String padding = (fraction < 10) ? ".00" : (fraction < 100) ? ".0" : ".";
		return (micros / 1000) + padding + fraction;
	}

}
