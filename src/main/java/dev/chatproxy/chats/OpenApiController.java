package dev.chatproxy.chats;

import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Serves the API's OpenAPI description, checked in beside the code and proven by its
 * tests, for frontends to generate clients from.
 */
@RestController
class OpenApiController {

	private static final MediaType YAML = MediaType.parseMediaType("application/yaml");

	private final Resource document = new ClassPathResource("openapi/openapi.yaml");

	@GetMapping(path = "/openapi.yaml", produces = "application/yaml")
	ResponseEntity<Resource> openApi() {
		return ResponseEntity.ok().contentType(YAML).body(this.document);
	}

}
