package dev.chatproxy.webhooks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import org.springframework.context.annotation.Conditional;
import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Receives postpress' message events (CONTRACT.md section 10): checks the secret in
 * constant time, reads at most 64 KB, answers 200 at once and leaves the invalidation to
 * the {@link InvalidationQueue}.
 */
@RestController
@Conditional(WebhookEnabled.class)
class PostpressWebhookController {

	static final int MAX_BODY_BYTES = 64 * 1024;

	private final byte[] secretDigest;

	private final String secretHeader;

	private final ObjectMapper json;

	private final InvalidationQueue queue;

	PostpressWebhookController(WebhookProperties properties, ObjectMapper json, InvalidationQueue queue) {
		// wired only when the secret is set (WebhookEnabled)
		this.secretDigest = sha256(Objects.requireNonNull(properties.secret(), "proxy.webhook.secret"));
		this.secretHeader = properties.secretHeader();
		this.json = json;
		this.queue = queue;
	}

	@PostMapping("/webhooks/postpress")
	ResponseEntity<Void> receive(HttpServletRequest request) throws IOException {
		checkSecret(request.getHeader(this.secretHeader));
		JsonNode event = parse(readBounded(request));
		MessageEvent messageEvent = MessageEvent.of(event);
		if (messageEvent != null) {
			this.queue.submit(messageEvent);
		}
		return ResponseEntity.ok().cacheControl(CacheControl.noStore()).build();
	}

	/**
	 * Compares digests rather than the secrets themselves, so that neither the content
	 * nor the length of the secret shows in the time the comparison takes.
	 */
	private void checkSecret(@Nullable String given) {
		if (given == null || given.isEmpty()) {
			throw WebhookRejected.missingSecret(this.secretHeader);
		}
		if (!MessageDigest.isEqual(this.secretDigest, sha256(given))) {
			throw WebhookRejected.wrongSecret(this.secretHeader);
		}
	}

	/**
	 * Reads one byte past the limit at most: a larger body is refused, never buffered.
	 */
	private static byte[] readBounded(HttpServletRequest request) throws IOException {
		if (request.getContentLengthLong() > MAX_BODY_BYTES) {
			throw WebhookRejected.tooLarge(MAX_BODY_BYTES);
		}
		try (InputStream body = request.getInputStream()) {
			byte[] bytes = body.readNBytes(MAX_BODY_BYTES + 1);
			if (bytes.length > MAX_BODY_BYTES) {
				throw WebhookRejected.tooLarge(MAX_BODY_BYTES);
			}
			return bytes;
		}
	}

	private JsonNode parse(byte[] body) {
		JsonNode event;
		try {
			event = this.json.readTree(body);
		}
		catch (JacksonException ex) {
			throw WebhookRejected.malformed("The body is not valid JSON.");
		}
		if (event == null || !event.isObject()) {
			throw WebhookRejected.malformed("The body must be a JSON object, a postpress message event.");
		}
		return event;
	}

	private static byte[] sha256(String value) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
		}
	}

}
