package dev.chatproxy.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The benchmark's ceiling: the best any Spring MVC hit path can do. Answers the same page
 * the proxy serves from precomputed bytes, with no cache look-up, no headers of its own
 * and no dispatch. Not part of the application: {@code bench/run.sh} compiles it and adds
 * it to the proxy's JVM with {@code -Dloader.path}, where the component scan of
 * {@code dev.chatproxy} finds it.
 */
@RestController
class CeilingController {

	private static final String ATTENDEE = "att_01HXYZ4QK3WJ8FN3M6QH7TZ8GR";

	private final Map<Integer, byte[]> pages = new ConcurrentHashMap<>();

	CeilingController(@Value("${postpress.base-url}") String baseUrl, @Value("${postpress.api-key}") String apiKey)
			throws IOException, InterruptedException {
		HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
		for (int size : new int[] { 1, 100 }) {
			HttpRequest request = HttpRequest
				.newBuilder(URI.create(baseUrl + "/chat_attendees/" + ATTENDEE + "/chats?limit=" + size))
				.header("X-API-KEY", apiKey)
				.build();
			HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
			if (response.statusCode() != 200) {
				throw new IllegalStateException("The stand-in answered " + response.statusCode() + " for size " + size);
			}
			this.pages.put(size, response.body());
		}
	}

	@GetMapping("/bench/ceiling/{size}")
	ResponseEntity<byte[]> page(@PathVariable("size") int size) {
		byte[] page = this.pages.get(size);
		if (page == null) {
			return ResponseEntity.notFound().build();
		}
		return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(page);
	}

}
