package dev.chatproxy.system;

import java.net.URI;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The error advice and its writer alone: every row of {@link ProblemType} answered in the
 * envelope of CONTRACT.md section 5, Spring's own rejections translated through the
 * table, and anything else an unexpected 500 that says nothing of its cause.
 */
@WebMvcTest(ProblemDetailsAdviceTests.Thrower.class)
@Import({ Problems.class, ProblemDetailsAdviceTests.Thrower.class })
@EnableConfigurationProperties(CorsProperties.class)
class ProblemDetailsAdviceTests {

	private static final String REQUEST_ID = "req-42";

	@Autowired
	MockMvc mvc;

	@ParameterizedTest
	@EnumSource(ProblemType.class)
	void answersEveryRowOfTheTableInTheEnvelope(ProblemType type) throws Exception {
		this.mvc.perform(get("/throw/" + type.name()).requestAttr(RequestIds.class.getName(), REQUEST_ID))
			.andExpect(status().is(type.status().value()))
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.type").value(type.type()))
			.andExpect(jsonPath("$.title").value(type.title()))
			.andExpect(jsonPath("$.status").value(type.status().value()))
			.andExpect(jsonPath("$.detail").value(type.defaultDetail()))
			.andExpect(jsonPath("$.instance").value(REQUEST_ID));
	}

	@Test
	void answersAnUnexpectedFailureAs500WithoutItsMessage() throws Exception {
		this.mvc.perform(get("/boom"))
			.andExpect(status().isInternalServerError())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.type").value(ProblemType.UNEXPECTED_ERROR.type()))
			.andExpect(jsonPath("$.detail").value(ProblemType.UNEXPECTED_ERROR.defaultDetail()))
			.andExpect(content().string(not(containsString("secret"))));
	}

	@Test
	void translatesSpringsWrongMethodThroughTheTableWithTheAllowedMethods() throws Exception {
		this.mvc.perform(post("/boom"))
			.andExpect(status().isMethodNotAllowed())
			.andExpect(header().string(HttpHeaders.ALLOW, "GET,HEAD,OPTIONS"))
			.andExpect(jsonPath("$.type").value(ProblemType.METHOD_NOT_ALLOWED.type()))
			.andExpect(jsonPath("$.title").value(ProblemType.METHOD_NOT_ALLOWED.title()));
	}

	@Test
	void answersAnUnknownRouteWithTheRoutesThePackagesDeclared() throws Exception {
		this.mvc.perform(get("/nowhere"))
			.andExpect(status().isNotFound())
			.andExpect(jsonPath("$.type").value(ProblemType.RESOURCE_NOT_FOUND.type()))
			.andExpect(jsonPath("$.detail").value(
					"No such resource. The API is GET /attendees/{attendee_id}/chats, GET /attendees/{attendee_id}/chats/events."));
	}

	@Test
	void keepsTheTypeAndHeadersOfAProblemThatCarriesItsOwn() throws Exception {
		this.mvc.perform(get("/own"))
			.andExpect(status().isTooManyRequests())
			.andExpect(header().string(HttpHeaders.RETRY_AFTER, "7"))
			.andExpect(jsonPath("$.type").value("errors/upstream_own_type"))
			.andExpect(jsonPath("$.title").value("Own title"))
			.andExpect(jsonPath("$.detail").value("Own detail"));
	}

	/** Throws what a test asks for. */
	@RestController
	static class Thrower {

		@GetMapping("/throw/{type}")
		void type(@PathVariable String type) {
			ProblemType row = ProblemType.valueOf(type);
			throw new ErrorResponseException(row.status(), row.problem(null), null);
		}

		@GetMapping("/boom")
		void boom() {
			throw new IllegalStateException("secret internals");
		}

		@GetMapping("/own")
		void own() {
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.TOO_MANY_REQUESTS, "Own detail");
			problem.setType(URI.create("errors/upstream_own_type"));
			problem.setTitle("Own title");
			ErrorResponseException error = new ErrorResponseException(HttpStatus.TOO_MANY_REQUESTS, problem, null);
			error.getHeaders().set(HttpHeaders.RETRY_AFTER, "7");
			throw error;
		}

	}

}
