package dev.chatproxy.chats;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Splits and decodes a raw query string ({@code a=1&b=2}) as HTML forms encode it
 * ({@code +} is a space, {@code %XX} are UTF-8 bytes), strictly: a chunk without a name,
 * a malformed escape or bytes that are not UTF-8 (overlong forms included) are rejected,
 * naming the parameter, instead of failing deep inside the server's own parser.
 */
final class QueryString {

	private QueryString() {
	}

	/**
	 * Decodes a raw query string.
	 * @param rawQuery the query as it came on the request line, or {@code null}
	 * @return every parameter with its values, in order
	 * @throws InvalidParameter when a chunk cannot be decoded
	 */
	static Map<String, String[]> parse(@Nullable String rawQuery) {
		Map<String, String[]> parameters = new LinkedHashMap<>();
		if (rawQuery == null || rawQuery.isEmpty()) {
			return parameters;
		}
		int start = 0;
		while (start <= rawQuery.length()) {
			int end = rawQuery.indexOf('&', start);
			if (end < 0) {
				end = rawQuery.length();
			}
			if (end > start) {
				add(parameters, rawQuery.substring(start, end));
			}
			start = end + 1;
		}
		return parameters;
	}

	private static void add(Map<String, String[]> parameters, String chunk) {
		int equals = chunk.indexOf('=');
		String rawName = (equals < 0) ? chunk : chunk.substring(0, equals);
		if (rawName.isEmpty()) {
			throw new InvalidParameter("", "A query parameter has no name ('" + printable(chunk) + "').");
		}
		String name = decode(rawName, rawName);
		String value = (equals < 0) ? "" : decode(chunk.substring(equals + 1), rawName);
		parameters.merge(name, new String[] { value }, QueryString::concat);
	}

	private static String decode(String raw, String rawName) {
		if (raw.indexOf('%') < 0 && raw.indexOf('+') < 0) {
			return raw;
		}
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
		for (int i = 0; i < raw.length(); i++) {
			char c = raw.charAt(i);
			if (c == '+') {
				bytes.write(' ');
			}
			else if (c == '%') {
				int high = (i + 2 < raw.length()) ? Character.digit(raw.charAt(i + 1), 16) : -1;
				int low = (high >= 0) ? Character.digit(raw.charAt(i + 2), 16) : -1;
				if (low < 0) {
					throw malformed(rawName);
				}
				bytes.write((high << 4) | low);
				i += 2;
			}
			else {
				byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
				bytes.write(encoded, 0, encoded.length);
			}
		}
		try {
			return StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(bytes.toByteArray()))
				.toString();
		}
		catch (CharacterCodingException ex) {
			throw malformed(rawName);
		}
	}

	private static InvalidParameter malformed(String rawName) {
		String name = printable(rawName);
		return new InvalidParameter(name, "Query parameter '" + name + "' is not correctly percent-encoded UTF-8.");
	}

	private static String[] concat(String[] first, String[] second) {
		String[] all = new String[first.length + second.length];
		System.arraycopy(first, 0, all, 0, first.length);
		System.arraycopy(second, 0, all, first.length, second.length);
		return all;
	}

	/** Keeps a name readable and short in an error detail. */
	static String printable(String name) {
		String cleaned = name.replaceAll("[^\\x20-\\x7E]", "?");
		return (cleaned.length() > 64) ? cleaned.substring(0, 64) + "…" : cleaned;
	}

}
