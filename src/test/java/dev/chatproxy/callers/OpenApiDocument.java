package dev.chatproxy.callers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.StringNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import org.springframework.core.io.ClassPathResource;

/**
 * The checked-in OpenAPI document, and what it says of a real answer: every status,
 * header and body is checked with a JSON Schema validator for OpenAPI 3.1.
 */
final class OpenApiDocument {

	static final String LOCATION = "classpath:openapi/openapi.yaml";

	private static final JsonMapper json = JsonMapper.builder().build();

	private final JsonNode document;

	private final SchemaRegistry schemas = SchemaRegistry.withDialect(Dialects.getOpenApi31());

	OpenApiDocument() {
		try (InputStream in = new ClassPathResource("openapi/openapi.yaml").getInputStream()) {
			this.document = YAMLMapper.builder().build().readTree(in);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Lists how a real answer of the chats endpoint departs from the document.
	 * @param response the answer
	 * @return the violations; empty when the answer is as documented
	 */
	List<String> violations(HttpResponse<String> response) {
		List<String> violations = new ArrayList<>();
		String status = Integer.toString(response.statusCode());
		JsonNode described = this.document.path("paths")
			.path("/attendees/{attendee_id}/chats")
			.path("get")
			.path("responses")
			.path(status);
		if (described.isMissingNode()) {
			return List.of("status " + status + " is not documented");
		}
		String pointer = described.has("$ref") ? described.get("$ref").asString() : null;
		described = resolve(described);
		for (Map.Entry<String, JsonNode> header : described.path("headers").properties()) {
			String headerPointer = (pointer != null) ? pointer + "/headers/" + header.getKey() : null;
			headerViolations(response, header.getKey(), header.getValue(), headerPointer, violations);
		}
		JsonNode content = described.path("content");
		if (content.isMissingNode()) {
			if (!response.body().isEmpty()) {
				violations.add("status " + status + " is documented without a body, but one came");
			}
			return violations;
		}
		String contentType = response.headers()
			.firstValue("Content-Type")
			.map((value) -> value.split(";")[0].trim().toLowerCase(Locale.ROOT))
			.orElse("(none)");
		JsonNode media = content.path(contentType);
		if (media.isMissingNode()) {
			violations.add("Content-Type " + contentType + " is not documented for status " + status);
			return violations;
		}
		violations.addAll(validate(schemaAt(media.path("schema"), null), json.readTree(response.body()), "body"));
		return violations;
	}

	/**
	 * Validates JSON against one of the document's component schemas.
	 * @param name the schema name, such as {@code ChatList}
	 * @param instance the JSON
	 * @return the violations
	 */
	List<String> validate(String name, String instance) {
		return validate(schema("#/components/schemas/" + name), json.readTree(instance), name);
	}

	private void headerViolations(HttpResponse<String> response, String name, JsonNode header, String at,
			List<String> violations) {
		String pointer = header.has("$ref") ? header.get("$ref").asString() : at;
		JsonNode resolved = resolve(header);
		List<String> values = response.headers().allValues(name);
		if (values.isEmpty()) {
			if (resolved.path("required").asBoolean(false)) {
				violations.add("required header " + name + " is missing");
			}
			return;
		}
		Schema schema = schemaAt(resolved.path("schema"), (pointer != null) ? pointer + "/schema" : null);
		for (String value : values) {
			violations.addAll(validate(schema, StringNode.valueOf(value), "header " + name));
		}
	}

	private Schema schemaAt(JsonNode schema, String pointer) {
		if (schema.has("$ref")) {
			return schema(schema.get("$ref").asString());
		}
		if (pointer == null) {
			throw new IllegalStateException("an inline schema outside components: " + schema);
		}
		return schema(pointer);
	}

	private Schema schema(String pointer) {
		return this.schemas.getSchema(SchemaLocation.of(LOCATION + pointer));
	}

	private JsonNode resolve(JsonNode node) {
		if (!node.has("$ref")) {
			return node;
		}
		return this.document.at(node.get("$ref").asString().substring(1));
	}

	private static List<String> validate(Schema schema, JsonNode instance, String what) {
		List<Error> errors = schema.validate(instance);
		return errors.stream().map((error) -> what + ": " + error.getMessage()).toList();
	}

}
