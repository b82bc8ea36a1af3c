package dev.chatproxy.system;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses any path parameter ({@code ;...}) with a 400 before Spring parses the path: the
 * container would silently drop it ({@code /attendees/a;b/chats} read as {@code a}), and
 * a malformed one ({@code ;%}) would fail Spring's path parsing with a server error.
 */
class PathParameterGuard extends OncePerRequestFilter {

	/** Request attribute holding the detail of a 400 for the error page. */
	static final String DETAIL = PathParameterGuard.class.getName() + ".detail";

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (request.getRequestURI().indexOf(';') >= 0) {
			request.setAttribute(DETAIL,
					"Path parameters (';') are not allowed: 'attendee_id' must be a plain comma-separated list of ids.");
			response.sendError(HttpServletResponse.SC_BAD_REQUEST);
			return;
		}
		chain.doFilter(request, response);
	}

}
