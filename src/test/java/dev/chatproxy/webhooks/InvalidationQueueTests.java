package dev.chatproxy.webhooks;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.chatproxy.cache.Invalidation;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link InvalidationQueue}: events are applied in order after the answer, and
 * a burst past its capacity is dropped and counted rather than blocking the caller.
 */
class InvalidationQueueTests {

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final CountDownLatch release = new CountDownLatch(1);

	private final List<String> applied = new CopyOnWriteArrayList<>();

	@Test
	void burstPastTheCapacityIsDroppedAndCountedWithoutBlocking() throws Exception {
		CountDownLatch firstStarted = new CountDownLatch(1);
		InvalidationQueue queue = new InvalidationQueue((invalidation) -> {
			firstStarted.countDown();
			awaitRelease();
			this.applied.add(invalidation.chatIds().iterator().next());
			return 1;
		}, 2, this.meters);
		try {
			queue.submit(event("chat_1"));
			assertThat(firstStarted.await(5, TimeUnit.SECONDS)).isTrue();
			// the worker is held on chat_1: two fit in the queue, two do not
			for (String chat : List.of("chat_2", "chat_3", "chat_4", "chat_5")) {
				queue.submit(event(chat));
			}
			assertThat(this.meters.get("chatproxy.webhook.dropped").counter().count()).isEqualTo(2);

			this.release.countDown();

			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(this.applied).containsExactly("chat_1", "chat_2", "chat_3"));
		}
		finally {
			this.release.countDown();
			queue.destroy();
		}
	}

	@Test
	void failureToApplyOneEventDoesNotStopTheNext() {
		InvalidationQueue queue = new InvalidationQueue((invalidation) -> {
			String chat = invalidation.chatIds().iterator().next();
			if (chat.equals("chat_bad")) {
				throw new IllegalStateException("cannot apply");
			}
			this.applied.add(chat);
			return 1;
		}, 10, this.meters);
		try {
			queue.submit(event("chat_bad"));
			queue.submit(event("chat_good"));

			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(this.applied).containsExactly("chat_good"));
		}
		finally {
			queue.destroy();
		}
	}

	private static MessageEvent event(String chatId) {
		return new MessageEvent("message_received", new Invalidation(Set.of(), Set.of(chatId), Set.of(), "webhook"));
	}

	private void awaitRelease() {
		try {
			this.release.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
