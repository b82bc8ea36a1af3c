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
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The benchmark's framework ceiling: a plain Spring Boot MVC application in its own JVM,
 * answering the page the proxy serves from precomputed bytes, with only Tomcat, the
 * DispatcherServlet and MVC configured (no actuator, metrics, observation, access log or
 * filters of the proxy). Not part of the application: {@code bench/run.sh} compiles it against
 * the proxy jar's libraries and starts it with
 * {@code --postpress.base-url=... --postpress.api-key=... --server.port=...}.
 */
@SpringBootConfiguration
@ImportAutoConfiguration({ TomcatServletWebServerAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
		WebMvcAutoConfiguration.class, HttpMessageConvertersAutoConfiguration.class })
public class CeilingApplication {

	public static void main(String[] args) {
		SpringApplication application = new SpringApplication(CeilingApplication.class, CeilingController.class);
		// the same thread model as the proxy (virtual threads on 21+), and no filter of its own
		application.setDefaultProperties(Map.of("spring.threads.virtual.enabled", "true",
				"spring.mvc.formcontent.filter.enabled", "false", "spring.main.banner-mode", "off"));
		application.run(args);
	}

	/** Answers the precomputed pages. */
	@RestController
	static class CeilingController {

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
					throw new IllegalStateException(
							"The stand-in answered " + response.statusCode() + " for size " + size);
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

}
