package dev.chatproxy.callers;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.chatproxy.system.RequestIds;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
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
class CallerProblems implements AuthenticationEntryPoint, AccessDeniedHandler {

	private final JsonMapper json;

	CallerProblems(JsonMapper json) {
		this.json = json;
	}

	@Override
	public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException exception)
			throws IOException {
		// the resource server reports a token it could not accept as an
		// OAuth2AuthenticationException; no token at all arrives as anything else
		if (exception instanceof OAuth2AuthenticationException) {
			response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
			write(request, response, HttpStatus.UNAUTHORIZED, "errors/invalid_credentials", "Invalid credentials",
					"The bearer token is not valid: malformed, badly signed, expired, not yet valid, "
							+ "or issued by or for someone else.");
		}
		else {
			response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
			write(request, response, HttpStatus.UNAUTHORIZED, "errors/missing_credentials", "Missing credentials",
					"This API needs a bearer token: send 'Authorization: Bearer <JWT>'.");
		}
	}

	@Override
	public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException exception)
			throws IOException {
		response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"insufficient_scope\"");
		write(request, response, HttpStatus.FORBIDDEN, InsufficientPermissionsException.TYPE,
				InsufficientPermissionsException.TITLE, "The bearer token does not allow this request.");
	}

	private void write(HttpServletRequest request, HttpServletResponse response, HttpStatus status, String type,
			String title, String detail) throws IOException {
		Map<String, Object> problem = new LinkedHashMap<>();
		problem.put("type", type);
		problem.put("title", title);
		problem.put("status", status.value());
		problem.put("detail", detail);
		problem.put("instance", RequestIds.current(request));
		response.setStatus(status.value());
		response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		this.json.writeValue(response.getOutputStream(), problem);
	}

}
