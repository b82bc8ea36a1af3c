package dev.chatproxy.webhooks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link MessageEvent}: what a postpress message event touches.
 */
class MessageEventTests {

	private static final JsonMapper json = JsonMapper.builder().build();

	/** The example of issue 12, as Unipile documents it. */
	private static final String EXAMPLE = """
			{"event": "message_received", "account_id": "acc_01HXYZ4QK3WJ8FN3M6QH7TZ8GR", "account_type": "LINKEDIN",
			 "chat_id": "chat_01HXYZ4QK3WJ8FN3M6QH7TZ8GR", "timestamp": "2026-11-24T13:49:07.965Z",
			 "webhook_name": "chat-proxy", "message_id": "msg_01J0A4B6C8D2E5F7G9H1J3K5M7", "message": "Hello",
			 "sender": {"attendee_id": "att_SENDER", "attendee_name": "Jordan Walke",
			            "attendee_provider_id": "ACoAACr-sender"},
			 "attendees": [{"attendee_id": "att_01HXYZ4QK3WJ8FN3M6QH7TZ8GR", "attendee_provider_id": "ACoAACr-1eYBl"}]}""";

	@Test
	void touchesItsChatAndEveryIdOfItsSenderAndAttendeesButNotItsAccount() {
		MessageEvent event = MessageEvent.of(read(EXAMPLE));

		assertThat(event).isNotNull();
		assertThat(event.name()).isEqualTo("message_received");
		assertThat(event.invalidation().chatIds()).containsExactly("chat_01HXYZ4QK3WJ8FN3M6QH7TZ8GR");
		assertThat(event.invalidation().attendeeIds()).containsExactlyInAnyOrder("att_SENDER", "ACoAACr-sender",
				"att_01HXYZ4QK3WJ8FN3M6QH7TZ8GR", "ACoAACr-1eYBl");
		assertThat(event.invalidation().accountIds()).isEmpty();
		assertThat(event.invalidation().source()).isEqualTo("webhook");
	}

	@ParameterizedTest
	@ValueSource(
			strings = { "message_received", "message_read", "message_reaction", "message_edited", "message_deleted" })
	void everyMessageEventChangesChatLists(String name) {
		assertThat(MessageEvent.of(read(EXAMPLE.replace("message_received", name)))).isNotNull();
	}

	@ParameterizedTest
	@ValueSource(strings = { "{\"event\":\"account_connected\",\"chat_id\":\"c\"}", "{\"chat_id\":\"c\"}",
			"{\"event\":42}", "{\"event\":\"MESSAGE_RECEIVED\",\"chat_id\":\"c\"}" })
	void otherEventsAreIgnored(String body) {
		assertThat(MessageEvent.of(read(body))).isNull();
	}

	@Test
	void fieldsOfTheWrongShapeAreSkipped() {
		MessageEvent event = MessageEvent.of(read("""
				{"event":"message_read","chat_id":7,"sender":"att_x",
				 "attendees":[{"attendee_id":" att_1 "},"att_2",{"attendee_id":""},{"attendee_provider_id":null}]}"""));

		assertThat(event).isNotNull();
		assertThat(event.invalidation().chatIds()).isEmpty();
		assertThat(event.invalidation().attendeeIds()).containsExactly("att_1");
	}

	private static JsonNode read(String body) {
		return json.readTree(body);
	}

}
