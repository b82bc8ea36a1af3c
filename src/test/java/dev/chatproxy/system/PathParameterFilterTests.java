package dev.chatproxy.system;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.http.HttpMethod;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The detail of a refused path parameter names the route's variable it was put in, as
 * CONTRACT.md section 5 asks, from the routes the packages declare.
 */
class PathParameterFilterTests {

	private final PathParameterFilter filter = new PathParameterFilter(
			List.of(new ApiRoute(HttpMethod.GET, "/things/{thing_id}/parts"),
					new ApiRoute(HttpMethod.GET, "/things/{thing_id}/parts/{part_id}")));

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			/things/a;b/parts        | Path parameters (';') are not allowed: 'thing_id' must be a plain path segment.
			/things/a;/parts         | Path parameters (';') are not allowed: 'thing_id' must be a plain path segment.
			/things/a/parts/p;x      | Path parameters (';') are not allowed: 'part_id' must be a plain path segment.
			/things/a/parts;x=1      | Path parameters (';') are not allowed in the path.
			/elsewhere;x/a           | Path parameters (';') are not allowed in the path.
			""")
	void namesTheVariableThePathParameterWasPutIn(String path, String detail) {
		assertThat(this.filter.detail(path)).isEqualTo(detail);
	}

}
