package dev.chatproxy.demo;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * RFC 3986 percent-decoding of raw path segments and query strings. Unlike
 * {@link java.net.URLDecoder} (form encoding) it keeps {@code +} as a plus sign, which
 * WhatsApp and postpress ids may contain.
 */
final class PercentDecoding {

	private PercentDecoding() {
	}

	static String decode(String raw) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
		for (int i = 0; i < raw.length(); i++) {
			char c = raw.charAt(i);
			if (c == '%') {
				if (i + 2 >= raw.length()) {
					throw new ProblemException(Problem.INVALID_PARAMETERS, "malformed percent-encoding");
				}
				int high = Character.digit(raw.charAt(i + 1), 16);
				int low = Character.digit(raw.charAt(i + 2), 16);
				if (high < 0 || low < 0) {
					throw new ProblemException(Problem.INVALID_PARAMETERS, "malformed percent-encoding");
				}
				bytes.write(high * 16 + low);
				i += 2;
			}
			else {
				byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
				bytes.write(encoded, 0, encoded.length);
			}
		}
		return bytes.toString(StandardCharsets.UTF_8);
	}

	/**
	 * Decodes a raw query string.
	 * @param rawQuery the raw query, may be {@code null}
	 * @return the parameters in order
	 * @throws ProblemException when a parameter is given twice
	 */
	static Map<String, String> queryParameters(String rawQuery) {
		Map<String, String> parameters = new LinkedHashMap<>();
		if (rawQuery == null) {
			return parameters;
		}
		for (String pair : rawQuery.split("&")) {
			if (pair.isEmpty()) {
				continue;
			}
			int equals = pair.indexOf('=');
			String name = decode((equals >= 0) ? pair.substring(0, equals) : pair);
			String value = (equals >= 0) ? decode(pair.substring(equals + 1)) : "";
			if (parameters.put(name, value) != null) {
				throw new ProblemException(Problem.INVALID_PARAMETERS, name + " is given more than once");
			}
		}
		return parameters;
	}

}
