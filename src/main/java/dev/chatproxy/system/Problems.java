package dev.chatproxy.system;

import java.net.URI;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/**
 * Builds the seed's error envelope: {@code type}, {@code title}, {@code status},
 * {@code detail}, and the request id as {@code instance}.
 */
final class Problems {

	private Problems() {
	}

	static ResponseEntity<ProblemDetail> of(HttpServletRequest request, HttpStatusCode status, String type,
			String title, @Nullable String detail) {
		return of(request, status, type, title, detail, new HttpHeaders());
	}

	static ResponseEntity<ProblemDetail> of(HttpServletRequest request, HttpStatusCode status, String type,
			String title, @Nullable String detail, HttpHeaders headers) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setType(URI.create(type));
		problem.setTitle(title);
		problem.setInstance(URI.create(RequestIds.current(request)));
		headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
		return new ResponseEntity<>(problem, headers, status);
	}

}
