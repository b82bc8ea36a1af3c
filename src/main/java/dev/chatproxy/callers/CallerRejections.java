package dev.chatproxy.callers;

import java.io.IOException;

import dev.chatproxy.system.Problems;
import dev.chatproxy.system.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

/**
 * Answers the callers the security filters turn away, before Spring MVC and its advice
 * are reached, in the same envelope as every other error: 401 without a token or with a
 * bad one, 403 when a token does not allow the request.
 */
class CallerRejections implements AuthenticationEntryPoint, AccessDeniedHandler {

	private final Problems problems;

	CallerRejections(Problems problems) {
		this.problems = problems;
	}

	@Override
	public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException exception)
			throws IOException {
		// the resource server reports a token it could not accept as an
		// OAuth2AuthenticationException; no token at all arrives as anything else
		if (exception instanceof OAuth2AuthenticationException) {
			response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
			this.problems.write(request, response, ProblemType.INVALID_CREDENTIALS,
					"The bearer token is not valid: malformed, badly signed, expired, not yet valid, "
							+ "or issued by or for someone else.");
		}
		else {
			response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
			this.problems.write(request, response, ProblemType.MISSING_CREDENTIALS,
					"This API needs a bearer token: send 'Authorization: Bearer <JWT>'.");
		}
	}

	@Override
	public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException exception)
			throws IOException {
		response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"insufficient_scope\"");
		this.problems.write(request, response, ProblemType.INSUFFICIENT_PERMISSIONS,
				"The bearer token does not allow this request.");
	}

}
