package dev.chatproxy.system;

import java.io.IOException;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses any path parameter ({@code ;...}) with a 400 before Spring parses the path: the
 * container would silently drop it ({@code /things/a;b} read as {@code a}), and a
 * malformed one ({@code ;%}) would fail Spring's path parsing with a server error. The
 * detail names the route's variable the parameter was put in.
 */
class PathParameterFilter extends OncePerRequestFilter {

	/** Request attribute holding the detail of a 400 for the error page. */
	static final String DETAIL = PathParameterFilter.class.getName() + ".detail";

	private final List<ApiRoute> routes;

	PathParameterFilter(List<ApiRoute> routes) {
		this.routes = List.copyOf(routes);
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String path = request.getRequestURI();
		if (path.indexOf(';') >= 0) {
			request.setAttribute(DETAIL, detail(path));
			response.sendError(HttpServletResponse.SC_BAD_REQUEST);
			return;
		}
		chain.doFilter(request, response);
	}

	String detail(String path) {
		String variable = variable(path);
		return (variable != null)
				? "Path parameters (';') are not allowed: '" + variable + "' must be a plain path segment."
				: "Path parameters (';') are not allowed in the path.";
	}

	private @Nullable String variable(String path) {
		List<String> segments = List.of(path.split("/", -1));
		int index = 0;
		while (index < segments.size() && segments.get(index).indexOf(';') < 0) {
			index++;
		}
		for (ApiRoute route : this.routes) {
			String variable = route.variableAt(segments, index);
			if (variable != null) {
				return variable;
			}
		}
		return null;
	}

}
