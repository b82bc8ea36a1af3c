package dev.chatproxy.system;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * One log line per request, written when its answer is complete: method, path, status,
 * latency, cache status and (through the logging context) request id. Query strings are
 * left out: they carry cursors and account ids.
 */
class AccessLog extends OncePerRequestFilter {

	private static final Logger logger = LoggerFactory.getLogger("dev.chatproxy.access");

	private static final String STARTED_AT = AccessLog.class.getName() + ".startedAt";

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
			if (!request.isAsyncStarted() && logger.isInfoEnabled()) {
				long micros = (System.nanoTime() - (long) request.getAttribute(STARTED_AT)) / 1000;
				String cacheStatus = response.getHeader("Cache-Status");
				String millis = String.format("%d.%03d", micros / 1000, micros % 1000);
				logger.atInfo()
					.addKeyValue("http.request.method", request.getMethod())
					.addKeyValue("url.path", request.getRequestURI())
					.addKeyValue("http.response.status_code", response.getStatus())
					.addKeyValue("event.duration_ms", millis)
					.addKeyValue("cache_status", (cacheStatus != null) ? cacheStatus : "-")
					.log("{} {} {} {}ms cache=\"{}\"", request.getMethod(), request.getRequestURI(),
							response.getStatus(), millis, (cacheStatus != null) ? cacheStatus : "-");
			}
		}
	}

}
