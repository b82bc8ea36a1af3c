package dev.chatproxy.system;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.json.ProblemDetailJacksonMixin;
import org.springframework.web.ErrorResponse;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.context.request.async.AsyncRequestTimeoutException;

/**
 * The one writer of the error envelope: every error answer, from the advice, the error
 * page, Tomcat's report or a filter before Spring MVC, is a {@link ProblemType} row (or
 * the problem an {@link ErrorResponse} carries) with the request id as {@code instance},
 * as {@code application/problem+json}.
 */
public final class Problems {

	private static final URI NO_TYPE = URI.create("about:blank");

	private final JsonMapper jsonMapper;

	private final @Nullable String notFoundDetail;

	Problems(JsonMapper jsonMapper, ObjectProvider<ApiRoute> apiRoutes) {
		List<ApiRoute> routes = apiRoutes.orderedStream().toList();
		// the mixin Spring MVC's converter uses, so that both write a problem the same
		// way
		this.jsonMapper = jsonMapper.rebuild().addMixIn(ProblemDetail.class, ProblemDetailJacksonMixin.class).build();
		this.notFoundDetail = routes.isEmpty() ? null : ProblemType.RESOURCE_NOT_FOUND.defaultDetail() + " The API is "
				+ routes.stream().map(ApiRoute::toString).collect(Collectors.joining(", ")) + ".";
	}

	/**
	 * Writes a problem straight to the response, for the code that answers before Spring
	 * MVC (filters, security entry points); headers such as {@code WWW-Authenticate} are
	 * the caller's to set first.
	 * @param request the request, for its id
	 * @param response the response to write
	 * @param type the row of the table
	 * @param detail what went wrong, or {@code null} for the row's default
	 * @throws IOException when the response cannot be written
	 */
	public void write(HttpServletRequest request, HttpServletResponse response, ProblemType type,
			@Nullable String detail) throws IOException {
		response.setStatus(type.status().value());
		response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		response.getOutputStream().write(json(request, type, type.status(), detail).getBytes(StandardCharsets.UTF_8));
	}

	/** The envelope as JSON text, for Tomcat's error report. */
	String json(HttpServletRequest request, ProblemType type, HttpStatusCode status, @Nullable String detail) {
		ProblemDetail problem = problem(type, status, detail);
		problem.setInstance(URI.create(RequestIds.current(request)));
		return this.jsonMapper.writeValueAsString(problem);
	}

	/** The answer to an {@link ErrorResponse}, with its headers. */
	ResponseEntity<ProblemDetail> answer(HttpServletRequest request, ErrorResponse error) {
		HttpHeaders headers = new HttpHeaders();
		headers.putAll(error.getHeaders());
		if (error instanceof HttpRequestMethodNotSupportedException notSupported
				&& notSupported.getSupportedHttpMethods() != null) {
			headers.setAllow(allowed(notSupported.getSupportedHttpMethods()));
		}
		return answer(request, translate(error), headers);
	}

	/** The answer for a row of the table. */
	ResponseEntity<ProblemDetail> answer(HttpServletRequest request, ProblemType type, HttpStatusCode status,
			@Nullable String detail) {
		return answer(request, problem(type, status, detail), new HttpHeaders());
	}

	/**
	 * The problem to answer for an error: the error's own when it has a type, else the
	 * table's for its status.
	 */
	private ProblemDetail translate(ErrorResponse error) {
		ProblemDetail body = error.getBody();
		if (body.getType() != null && !NO_TYPE.equals(body.getType())) {
			ProblemDetail copy = ProblemDetail.forStatusAndDetail(error.getStatusCode(), body.getDetail());
			copy.setType(body.getType());
			copy.setTitle(body.getTitle());
			return copy;
		}
		if (error instanceof AsyncRequestTimeoutException) {
			return problem(ProblemType.REQUEST_TIMEOUT, ProblemType.REQUEST_TIMEOUT.status(), null);
		}
		return problem(ProblemType.forStatus(error.getStatusCode().value()), error.getStatusCode(), null);
	}

	private ProblemDetail problem(ProblemType type, HttpStatusCode status, @Nullable String detail) {
		String text = (detail == null && type == ProblemType.RESOURCE_NOT_FOUND) ? this.notFoundDetail : detail;
		return type.problem(status, text);
	}

	/**
	 * The methods Spring MVC answers for a route, as its {@code OPTIONS} answer lists
	 * them: the declared ones, {@code HEAD} wherever {@code GET} is, and {@code OPTIONS}.
	 */
	private static Set<HttpMethod> allowed(Set<HttpMethod> declared) {
		Set<HttpMethod> allowed = new LinkedHashSet<>(declared);
		if (allowed.contains(HttpMethod.GET)) {
			allowed.add(HttpMethod.HEAD);
		}
		allowed.add(HttpMethod.OPTIONS);
		return allowed;
	}

	private static ResponseEntity<ProblemDetail> answer(HttpServletRequest request, ProblemDetail problem,
			HttpHeaders headers) {
		problem.setInstance(URI.create(RequestIds.current(request)));
		headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
		return new ResponseEntity<>(problem, headers, problem.getStatus());
	}

}
