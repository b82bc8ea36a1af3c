package dev.chatproxy.upstream;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import org.jspecify.annotations.Nullable;

/**
 * One page of postpress' {@code ChatList}, typed to check what the upstream sent.
 * <p>
 * Fields the seed does not list are collected in {@code other} rather than rejected, so a
 * new upstream field never breaks a page.
 *
 * @param object always {@code ChatList}
 * @param items the chats of the page, in upstream order
 * @param cursor the cursor of the next page, {@code null} on the last page
 * @param other fields the seed does not list
 */
public record ChatList(@Nullable String object, @Nullable List<@Nullable Chat> items, @Nullable String cursor,
		@JsonAnySetter Map<String, Object> other) {

	static final String OBJECT = "ChatList";

	/**
	 * Tells whether the page has the shape the seed promises.
	 * @return {@code true} when the page can be served
	 */
	boolean isValid() {
		return OBJECT.equals(this.object) && this.items != null
				&& this.items.stream().allMatch((chat) -> chat != null && chat.isValid());
	}

}
