package dev.chatproxy.webhooks;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import dev.chatproxy.cache.Invalidation;
import dev.chatproxy.system.CorsProperties;
import dev.chatproxy.system.Problems;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The webhook's web layer alone (CONTRACT.md section 10): the secret, the body's bound
 * and shape, each refusal in the error envelope, and the events that reach the
 * invalidation queue. What an event does to the cache is
 * {@link InvalidationIntegrationTests}' part.
 */
@WebMvcTest(controllers = PostpressWebhookController.class,
		properties = { "proxy.webhook.secret=" + WebhookControllerTests.SECRET,
				"proxy.webhook.secret-header=X-Postpress-Secret" })
@Import({ Problems.class, WebhookControllerTests.RecordedInvalidations.class })
@EnableConfigurationProperties({ WebhookProperties.class, CorsProperties.class })
class WebhookControllerTests {

	static final String SECRET = "whsec_slice_0123456789";

	private static final Queue<Invalidation> invalidated = new ConcurrentLinkedQueue<>();

	@Autowired
	MockMvc mvc;

	@BeforeEach
	void forgetInvalidations() {
		invalidated.clear();
	}

	@Test
	void messageEventIsAcceptedAndQueuedWithTheIdsItTouches() throws Exception {
		send(event("message_received"), SECRET).andExpect(status().isOk())
			.andExpect(header().string("Cache-Control", "no-store"));

		await().atMost(Duration.ofSeconds(10)).until(() -> !invalidated.isEmpty());
		Invalidation invalidation = invalidated.peek();
		assertThat(invalidation.attendeeIds()).containsExactlyInAnyOrder("att_sender", "att_a", "ACoA-a");
		assertThat(invalidation.chatIds()).containsExactly("chat_a");
	}

	@Test
	void unknownEventIsAcceptedAndNothingIsQueued() throws Exception {
		send(event("account_connected"), SECRET).andExpect(status().isOk());
		// events are applied in order: once the next one is, the unknown one would have
		// been
		send(event("message_deleted"), SECRET).andExpect(status().isOk());

		await().atMost(Duration.ofSeconds(10)).until(() -> !invalidated.isEmpty());
		assertThat(invalidated).singleElement()
			.satisfies((invalidation) -> assertThat(invalidation.cause().reason()).isEqualTo("message_deleted"));
	}

	@Test
	void missingSecretIsRefusedWith401() throws Exception {
		problem(send(event("message_received"), null), 401, "errors/missing_credentials");
		// the configured header only: the default one is not read
		problem(this.mvc.perform(post("/webhooks/postpress").contentType(MediaType.APPLICATION_JSON)
			.content(event("message_received"))
			.header("X-Webhook-Secret", SECRET)), 401, "errors/missing_credentials");
	}

	@Test
	void wrongSecretIsRefusedWith401() throws Exception {
		for (String wrong : List.of(SECRET + "x", SECRET.substring(1), "x")) {
			problem(send(event("message_received"), wrong), 401, "errors/invalid_credentials");
		}
		assertThat(invalidated).isEmpty();
	}

	@Test
	void bodyOverItsBoundIsRefusedWith413AndOneOfExactlyTheBoundIsAccepted() throws Exception {
		String prefix = "{\"event\":\"account_connected\",\"message\":\"";
		String exact = prefix + "x".repeat(PostpressWebhookController.MAX_BODY_BYTES - prefix.length() - 2) + "\"}";
		assertThat(exact.getBytes(StandardCharsets.UTF_8)).hasSize(PostpressWebhookController.MAX_BODY_BYTES);

		problem(send(exact.replace("\"}", "x\"}"), SECRET), 413, "errors/payload_too_large");
		send(exact, SECRET).andExpect(status().isOk());
	}

	@Test
	void malformedBodyIsRefusedWith400() throws Exception {
		for (String malformed : List.of("{\"event\":", "not json", "", "[1,2]", "\"text\"")) {
			problem(send(malformed, SECRET), 400, "errors/invalid_parameters");
		}
	}

	private ResultActions send(String body, String secret) throws Exception {
		var request = post("/webhooks/postpress").contentType(MediaType.APPLICATION_JSON).content(body);
		if (secret != null) {
			request.header("X-Postpress-Secret", secret);
		}
		return this.mvc.perform(request);
	}

	private static void problem(ResultActions answer, int status, String type) throws Exception {
		answer.andExpect(status().is(status))
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.type").value(type))
			.andExpect(jsonPath("$.status").value(status))
			.andExpect(content().string(org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString(SECRET))));
	}

	private static String event(String name) {
		return """
				{"event": "%s", "account_id": "acc_1", "chat_id": "chat_a", "message": "Hello",
				 "sender": {"attendee_id": "att_sender"},
				 "attendees": [{"attendee_id": "att_a", "attendee_provider_id": "ACoA-a"}]}""".formatted(name);
	}

	/** A real invalidation queue whose applier records what reaches it. */
	@TestConfiguration(proxyBeanMethods = false)
	static class RecordedInvalidations {

		@Bean(destroyMethod = "destroy")
		InvalidationQueue invalidationQueue() {
			return new InvalidationQueue((invalidation) -> {
				invalidated.add(invalidation);
				return 1;
			}, 100, new SimpleMeterRegistry());
		}

	}

}
