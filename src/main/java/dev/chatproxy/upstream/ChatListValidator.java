package dev.chatproxy.upstream;

import java.util.HashSet;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamFactory;

/**
 * Tells whether a 200 body is a {@code ChatList} in one streaming pass, without binding
 * the page to objects, and reads on the way the ids the cache indexes the page by: a miss
 * pays for reading the tokens once, not for building every chat, nor for a second pass.
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
	 * Checks one body and reads the ids of its chats.
	 * @param body the bytes postpress sent
	 * @return the page, which can be stored and served, or {@code null} when the body is
	 * not a {@code ChatList}
	 */
	@Nullable ChatList read(byte[] body) {
		Ids ids = new Ids();
		try (JsonParser parser = this.factory.createParser(ObjectReadContext.empty(), body)) {
			if (parser.nextToken() == JsonToken.START_OBJECT && isChatListObject(parser, ids)
					&& parser.nextToken() == null) {
				return new ChatList(body, ids.chats, ids.accounts);
			}
			return null;
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	private static boolean isChatListObject(JsonParser parser, Ids ids) {
		boolean chatList = false;
		boolean items = false;
		String name;
		while ((name = parser.nextName()) != null) {
			JsonToken value = parser.nextToken();
			switch (name) {
				case "object" -> chatList = value == JsonToken.VALUE_STRING && "ChatList".equals(parser.getString());
				case "items" -> {
					if (value != JsonToken.START_ARRAY || !areChats(parser, ids)) {
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

	private static boolean areChats(JsonParser parser, Ids ids) {
		JsonToken token;
		while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
			if (token != JsonToken.START_OBJECT || !isChat(parser, ids)) {
				return false;
			}
		}
		return true;
	}

	private static boolean isChat(JsonParser parser, Ids ids) {
		boolean id = false;
		boolean accountId = false;
		String name;
		while ((name = parser.nextName()) != null) {
			JsonToken value = parser.nextToken();
			switch (name) {
				case "id" -> id = readId(parser, value, ids.chats);
				case "account_id" -> accountId = readId(parser, value, ids.accounts);
				default -> parser.skipChildren();
			}
		}
		return id && accountId;
	}

	/** Whether the value is a non-empty string, which it then adds to the ids. */
	private static boolean readId(JsonParser parser, JsonToken value, Set<String> ids) {
		if (value != JsonToken.VALUE_STRING || parser.getStringLength() == 0) {
			return false;
		}
		ids.add(parser.getString());
		return true;
	}

	/** The ids read so far; thrown away with a body that turns out not to be a page. */
	private static final class Ids {

		final Set<String> chats = new HashSet<>();

		final Set<String> accounts = new HashSet<>();

	}

}
