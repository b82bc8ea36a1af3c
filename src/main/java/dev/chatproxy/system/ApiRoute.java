package dev.chatproxy.system;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpMethod;

/**
 * A route of the public API, declared as a bean by the package that serves it, so that
 * the error envelope can name routes and path variables without {@code system} knowing
 * the API.
 *
 * @param method the method the route answers
 * @param template the path, with variables in braces, such as {@code /things/{thing_id}}
 */
public record ApiRoute(HttpMethod method, String template) {

	@Override
	public String toString() {
		return this.method.name() + " " + this.template;
	}

	/**
	 * The variable of this route at a segment of a path of the same shape.
	 * @param segments the path's segments, split at {@code /}
	 * @param index the segment asked about
	 * @return the variable's name, or {@code null} when the path has another shape or the
	 * segment is not a variable
	 */
	@Nullable String variableAt(List<String> segments, int index) {
		List<String> own = List.of(this.template.split("/", -1));
		if (own.size() != segments.size() || index < 0 || index >= own.size()) {
			return null;
		}
		String segment = own.get(index);
		return (segment.startsWith("{") && segment.endsWith("}")) ? segment.substring(1, segment.length() - 1) : null;
	}

}
