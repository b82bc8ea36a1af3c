package dev.chatproxy.callers;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.web.firewall.FirewalledRequest;
import org.springframework.security.web.firewall.HttpFirewall;

/**
 * Lets every request through as it came. With bearer JWTs off there is no rule for a
 * crafted path to slip past, and the proxy's own guards answer malformed input with a 400
 * that names the parameter, as they did before Spring Security was added.
 */
final class PassThroughFirewall implements HttpFirewall {

	@Override
	public FirewalledRequest getFirewalledRequest(HttpServletRequest request) {
		return new FirewalledRequest(request) {

			@Override
			public void reset() {
			}

		};
	}

	@Override
	public HttpServletResponse getFirewalledResponse(HttpServletResponse response) {
		return response;
	}

}
