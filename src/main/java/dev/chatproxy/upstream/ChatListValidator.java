package dev.chatproxy.upstream;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamFactory;

/**
 * Tells whether a 200 body is a {@code ChatList} in one streaming pass, without binding
 * the page to objects: a miss pays for reading the tokens once, not for building every
 * chat.
 * <p>
 * A page is accepted when it is one JSON object whose {@code object} is
 * {@code "ChatList"}, whose {@code items} is an array of objects each with a non-empty
 * string {@code id} and {@code account_id}, and whose {@code cursor}, when present, is a
 * string or {@code null}. Every other field and value passes unchecked, so that a new
 * upstream field or enum value never turns a page into an error.
 */
final class ChatListValidator {

	private final TokenStreamFactory factory;

	ChatListValidator(TokenStreamFactory factory) {
		this.factory = factory;
	}

	/**
	 * Checks one body.
	 * @param body the bytes postpress sent
	 * @return {@code true} when the page can be stored and served
	 */
	boolean isChatList(byte[] body) {
		try (JsonParser parser = this.factory.createParser(ObjectReadContext.empty(), body)) {
			return parser.nextToken() == JsonToken.START_OBJECT && isChatListObject(parser)
					&& parser.nextToken() == null;
		}
		catch (JacksonException ex) {
			return false;
		}
	}

	private static boolean isChatListObject(JsonParser parser) {
		boolean chatList = false;
		boolean items = false;
		String name;
		while ((name = parser.nextName()) != null) {
			JsonToken value = parser.nextToken();
			switch (name) {
				case "object" -> chatList = value == JsonToken.VALUE_STRING && "ChatList".equals(parser.getString());
				case "items" -> {
					if (value != JsonToken.START_ARRAY || !areChats(parser)) {
						return false;
					}
					items = true;
				}
				case "cursor" -> {
					if (value != JsonToken.VALUE_STRING && value != JsonToken.VALUE_NULL) {
						return false;
					}
				}
				default -> parser.skipChildren();
			}
		}
		// nextName() returns null on END_OBJECT only; anything else would have thrown
		return chatList && items;
	}

	private static boolean areChats(JsonParser parser) {
		JsonToken token;
		while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
			if (token != JsonToken.START_OBJECT || !isChat(parser)) {
				return false;
			}
		}
		return true;
	}

	private static boolean isChat(JsonParser parser) {
		boolean id = false;
		boolean accountId = false;
		String name;
		while ((name = parser.nextName()) != null) {
			JsonToken value = parser.nextToken();
			switch (name) {
				case "id" -> id = isNonEmptyString(parser, value);
				case "account_id" -> accountId = isNonEmptyString(parser, value);
				default -> parser.skipChildren();
			}
		}
		return id && accountId;
	}

	private static boolean isNonEmptyString(JsonParser parser, JsonToken value) {
		return value == JsonToken.VALUE_STRING && parser.getStringLength() > 0;
	}

}
