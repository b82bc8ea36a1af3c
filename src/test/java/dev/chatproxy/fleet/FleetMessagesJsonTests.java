package dev.chatproxy.fleet;

import java.util.Set;

import dev.chatproxy.cache.Invalidation;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.json.JsonTest;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The invalidation messages replicas exchange on {@value FleetChannels#INVALIDATIONS}, as
 * the application's own JSON mapper writes and reads them: a rolling upgrade has replicas
 * of two versions on one channel, so a message without the newer fields, or with fields
 * this version does not know, must still be read.
 */
@JsonTest
class FleetMessagesJsonTests {

	@Autowired
	JsonMapper json;

	@Test
	void invalidationMessageReadsBackAsItWasSent() {
		FleetChannels channels = channels("replica-a");
		Invalidation sent = new Invalidation(Set.of("att_1", "att_2"), Set.of("chat_1"), Set.of("acc_1"), "webhook",
				new Invalidation.Cause("message_received", "acc_1", 1_764_000_000_000L));

		FleetChannels.InvalidationMessage read = channels
			.readInvalidation(this.json.writeValueAsString(new FleetChannels.InvalidationMessage("replica-a", sent)));

		assertThat(read.sender()).isEqualTo("replica-a");
		assertThat(read.invalidation()).isEqualTo(sent);
		assertThat(channels.isMine(read.sender())).isTrue();
		assertThat(channels("replica-b").isMine(read.sender())).isFalse();
	}

	@Test
	void messageOfAnOlderReplicaWithoutACauseIsRead() {
		FleetChannels.InvalidationMessage read = channels("replica-b").readInvalidation("""
				{"sender":"replica-a","invalidation":{"attendeeIds":["att_1"],"chatIds":[],"accountIds":[],
				 "source":"operator"}}""");

		assertThat(read.invalidation()).isEqualTo(new Invalidation(Set.of("att_1"), Set.of(), Set.of(), "operator"));
		assertThat(read.invalidation().cause()).isNull();
	}

	@Test
	void messageOfANewerReplicaWithFieldsThisOneDoesNotKnowIsRead() {
		FleetChannels.InvalidationMessage read = channels("replica-b").readInvalidation("""
				{"sender":"replica-c","priority":3,"invalidation":{"attendeeIds":[],"chatIds":["chat_9"],
				 "accountIds":[],"source":"webhook","scope":"first-page",
				 "cause":{"reason":"message_read","accountId":null,"receivedAtMillis":5,"origin":"eu"}}}""");

		assertThat(read.invalidation().chatIds()).containsExactly("chat_9");
		assertThat(read.invalidation().cause()).isEqualTo(new Invalidation.Cause("message_read", null, 5));
	}

	private FleetChannels channels(String replica) {
		// an unconnected template: reading and writing messages never touches Redis
		return new FleetChannels(new StringRedisTemplate(), this.json, replica);
	}

}
