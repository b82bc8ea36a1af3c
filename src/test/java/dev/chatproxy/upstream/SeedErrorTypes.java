package dev.chatproxy.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the error types of postpress' API page (the seed, copied to
 * {@code src/test/resources/seed}): the tests check the proxy against the page, not
 * against a list of their own.
 */
final class SeedErrorTypes {

	private static final String PAGE = "/seed/upstream-api-list-attendee-chats.txt";

	private static final String SHARED_PAGE = "../shared/seed/upstream-api-list-attendee-chats.txt";

	/** A status heading, such as {@code 401 Unauthorized13 types}. */
	private static final Pattern HEADING = Pattern.compile("^(\\d{3}) [A-Za-z ]+?(\\d+) types$");

	/**
	 * A type line, such as {@code • errors/missing_credentials - Some credentials ...}.
	 */
	private static final Pattern TYPE = Pattern.compile("^\\s*•\\s*(errors/[a-z_]+) - .*$");

	private SeedErrorTypes() {
	}

	/**
	 * Every error type of the page, under the status it is listed for.
	 * @return the types in the page's order
	 */
	static List<ErrorType> read() {
		List<ErrorType> types = new ArrayList<>();
		int status = 0;
		for (String line : lines()) {
			Matcher heading = HEADING.matcher(line);
			if (heading.matches()) {
				status = Integer.parseInt(heading.group(1));
			}
			Matcher type = TYPE.matcher(line);
			if (type.matches() && status != 0) {
				types.add(new ErrorType(status, type.group(1)));
			}
		}
		return types;
	}

	/**
	 * How many types the page announces for each status in its headings.
	 * @return counts by status
	 */
	static Map<Integer, Long> announcedCounts() {
		Map<Integer, Long> counts = new LinkedHashMap<>();
		for (String line : lines()) {
			Matcher heading = HEADING.matcher(line);
			if (heading.matches()) {
				counts.put(Integer.parseInt(heading.group(1)), Long.parseLong(heading.group(2)));
			}
		}
		return counts;
	}

	/**
	 * The page: the copy in the test resources, which must still be the contract's own
	 * ({@value #SHARED_PAGE}, beside the project) wherever that is present.
	 */
	private static List<String> lines() {
		String copy;
		try (InputStream page = SeedErrorTypes.class.getResourceAsStream(PAGE)) {
			if (page == null) {
				throw new IllegalStateException(PAGE + " is missing from the test resources");
			}
			copy = new String(page.readAllBytes(), StandardCharsets.UTF_8);
			Path shared = Path.of(SHARED_PAGE);
			if (Files.isReadable(shared) && !Files.readString(shared, StandardCharsets.UTF_8).equals(copy)) {
				throw new IllegalStateException("src/test/resources" + PAGE + " differs from " + SHARED_PAGE
						+ ": copy the contract's page again");
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return copy.lines().toList();
	}

	/**
	 * One error type of the page.
	 *
	 * @param status the status it is listed under
	 * @param type the type, such as {@code errors/missing_credentials}
	 */
	record ErrorType(int status, String type) {
	}

}
