package dev.chatproxy.demo;

import java.util.List;
import java.util.Map;

/**
 * Minimal JSON writer, so that the simulator runs standalone with nothing but the JDK on
 * its class path (the benchmark starts it with {@code java -cp target/test-classes}).
 */
final class Json {

	private Json() {
	}

	/**
	 * Writes maps (in iteration order), lists, strings, numbers, booleans and
	 * {@code null}.
	 * @param value the value to write
	 * @return the JSON text
	 */
	static String write(Object value) {
		StringBuilder out = new StringBuilder();
		write(value, out);
		return out.toString();
	}

	private static void write(Object value, StringBuilder out) {
		if (value == null) {
			out.append("null");
		}
		else if (value instanceof String string) {
			writeString(string, out);
		}
		else if (value instanceof Number || value instanceof Boolean) {
			out.append(value);
		}
		else if (value instanceof Map<?, ?> map) {
			out.append('{');
			String separator = "";
			for (Map.Entry<?, ?> entry : map.entrySet()) {
				out.append(separator);
				writeString(entry.getKey().toString(), out);
				out.append(':');
				write(entry.getValue(), out);
				separator = ",";
			}
			out.append('}');
		}
		else if (value instanceof List<?> list) {
			out.append('[');
			for (int i = 0; i < list.size(); i++) {
				out.append((i > 0) ? "," : "");
				write(list.get(i), out);
			}
			out.append(']');
		}
		else {
			throw new IllegalArgumentException("Cannot write " + value.getClass().getName() + " as JSON");
		}
	}

	private static void writeString(String string, StringBuilder out) {
		out.append('"');
		for (int i = 0; i < string.length(); i++) {
			char c = string.charAt(i);
			switch (c) {
				case '"' -> out.append("\\\"");
				case '\\' -> out.append("\\\\");
				case '\n' -> out.append("\\n");
				case '\r' -> out.append("\\r");
				case '\t' -> out.append("\\t");
				default -> {
					if (c < 0x20) {
						out.append(String.format("\\u%04x", (int) c));
					}
					else {
						out.append(c);
					}
				}
			}
		}
		out.append('"');
	}

}
