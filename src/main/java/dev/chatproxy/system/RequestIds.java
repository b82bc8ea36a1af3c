package dev.chatproxy.system;

import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every request an id: the caller's {@code X-Request-Id} when it is sane, else a
 * new one; echoed in the response, put in the logging context, and passed on to
 * postpress.
 */
public class RequestIds extends OncePerRequestFilter {

	/** The header that carries the id, both ways. */
	public static final String HEADER = "X-Request-Id";

	static final String MDC_KEY = "requestId";

	private static final String ATTRIBUTE = RequestIds.class.getName();

	private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

	/**
	 * Returns the id of the request.
	 * @param request the request
	 * @return the request id
	 */
	public static String current(HttpServletRequest request) {
		Object id = request.getAttribute(ATTRIBUTE);
		return (id != null) ? (String) id : assign(request);
	}

	private static String assign(HttpServletRequest request) {
		String id = sane(request.getHeader(HEADER));
		request.setAttribute(ATTRIBUTE, id);
		return id;
	}

	private static String sane(@Nullable String candidate) {
		return (candidate != null && SANE.matcher(candidate).matches()) ? candidate : newId();
	}

	/**
	 * A random (version 4) UUID from the thread's own generator. Request ids need to be
	 * unique, not unguessable; {@code UUID.randomUUID()} draws on one shared
	 * {@code SecureRandom} whose lock serialized every request thread (a profile under
	 * load showed hits at a tenth of their throughput, blocked there).
	 */
	private static String newId() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		long version4 = (random.nextLong() & ~0xF000L) | 0x4000L;
		long ietfVariant = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
		return new UUID(version4, ietfVariant).toString();
	}

	@Override
	protected boolean shouldNotFilterAsyncDispatch() {
		return false;
	}

	@Override
	protected boolean shouldNotFilterErrorDispatch() {
		return false;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String id = current(request);
		if (!response.containsHeader(HEADER)) {
			response.setHeader(HEADER, id);
		}
		MDC.put(MDC_KEY, id);
		try {
			chain.doFilter(request, response);
		}
		finally {
			MDC.remove(MDC_KEY);
		}
	}

}
