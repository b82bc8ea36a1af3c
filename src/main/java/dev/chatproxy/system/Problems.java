package dev.chatproxy.system;

import java.net.URI;
import java.util.LinkedHashSet;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponse;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.context.request.async.AsyncRequestTimeoutException;

/**
 * Turns any {@link ErrorResponse} into the seed's envelope: its status, type, title,
 * detail and headers, with the request id as {@code instance}. Spring's own rejections
 * carry no type of ours ({@code about:blank}) and are translated through
 * {@link ProblemType}.
 */
final class Problems {

	private static final URI NO_TYPE = URI.create("about:blank");

	private Problems() {
	}

	static ResponseEntity<ProblemDetail> of(HttpServletRequest request, ErrorResponse error) {
		ProblemDetail problem = translate(error);
		HttpHeaders headers = new HttpHeaders();
		headers.putAll(error.getHeaders());
		if (error instanceof HttpRequestMethodNotSupportedException notSupported
				&& notSupported.getSupportedHttpMethods() != null) {
			headers.setAllow(allowed(notSupported.getSupportedHttpMethods()));
		}
		return answer(request, problem, headers);
	}

	static ResponseEntity<ProblemDetail> of(HttpServletRequest request, ProblemType type, HttpStatusCode status,
			@Nullable String detail) {
		return answer(request, type.problem(status, detail), new HttpHeaders());
	}

	/**
	 * The problem to answer for an error: the error's own when it has a type, else the
	 * table's for its status.
	 */
	static ProblemDetail translate(ErrorResponse error) {
		ProblemDetail body = error.getBody();
		if (body.getType() != null && !NO_TYPE.equals(body.getType())) {
			ProblemDetail copy = ProblemDetail.forStatusAndDetail(error.getStatusCode(), body.getDetail());
			copy.setType(body.getType());
			copy.setTitle(body.getTitle());
			return copy;
		}
		if (error instanceof AsyncRequestTimeoutException) {
			return ProblemType.REQUEST_TIMEOUT.problem(null);
		}
		return ProblemType.forStatus(error.getStatusCode().value()).problem(error.getStatusCode(), null);
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
