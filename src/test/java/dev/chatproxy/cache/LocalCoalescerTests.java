package dev.chatproxy.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

import dev.chatproxy.support.ManualTicker;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LocalCoalescer}, on a driven clock: a storm of webhook events marks an
 * attendee's pages stale once per interval at most, and once more at its end.
 */
class LocalCoalescerTests {

	private static final Duration INTERVAL = Duration.ofSeconds(1);

	private final ManualTicker ticker = new ManualTicker();

	private final List<Task> tasks = new ArrayList<>();

	private final LocalCoalescer coalescer = new LocalCoalescer(this.ticker,
			(task, delayNanos) -> this.tasks.add(new Task(this.ticker.read() + delayNanos, task)), () -> {
			});

	/** Every invalidation applied: at once and trailing, in order. */
	private final List<Invalidation> applied = new ArrayList<>();

	/** When each was applied, on the driven clock. */
	private final List<Long> appliedAt = new ArrayList<>();

	@Test
	void firstEventGoesThroughAtOnceAndLaterOnesFoldIntoOneTrailingInvalidationAtTheIntervalsEnd() {
		assertThat(admit(event("a", "chat_1", "message_received"))).isEqualTo(event("a", "chat_1", "message_received"));
		advance(Duration.ofMillis(100));
		assertThat(admit(event("a", "chat_2", "message_read")).isEmpty()).isTrue();
		advance(Duration.ofMillis(100));
		assertThat(admit(event("a", "chat_3", "message_edited")).isEmpty()).isTrue();
		assertThat(this.applied).hasSize(1);

		advance(Duration.ofMillis(800));

		assertThat(this.applied).hasSize(2);
		Invalidation trailing = this.applied.get(1);
		assertThat(trailing.attendeeIds()).containsExactly("a");
		assertThat(trailing.chatIds()).containsExactlyInAnyOrder("chat_2", "chat_3");
		assertThat(trailing.cause()).isNotNull();
		assertThat(trailing.cause().reason()).isEqualTo("message_edited");
		assertThat(trailing.cause().accountId()).isEqualTo("acc_1");
	}

	@Test
	void trailingInvalidationOpensTheNextIntervalAndAQuietIntervalLetsTheNextEventThroughAtOnce() {
		admit(event("a", "chat_1", "message_received"));
		advance(Duration.ofMillis(500));
		admit(event("a", "chat_1", "message_received"));
		advance(Duration.ofMillis(500));
		assertThat(this.applied).hasSize(2);

		// within the interval the trailing one opened: folded again
		advance(Duration.ofMillis(300));
		assertThat(admit(event("a", "chat_1", "message_received")).isEmpty()).isTrue();
		advance(Duration.ofMillis(700));
		assertThat(this.applied).hasSize(3);

		// a whole quiet interval later: at once
		advance(Duration.ofMillis(1000));
		assertThat(admit(event("a", "chat_1", "message_received")).isEmpty()).isFalse();
		assertThat(this.tasks).isEmpty();
	}

	@Test
	void stormOfFortyEventsASecondMarksAnAttendeesPagesOncePerIntervalAndOnceMoreAfterTheStorm() {
		Duration storm = Duration.ofSeconds(40);
		long eventNanos = Duration.ofSeconds(1).toNanos() / 40;
		long start = this.ticker.read();
		for (int i = 0; i < 40 * 40; i++) {
			admit(event("a", "chat_" + (i % 3), "message_received"));
			advance(Duration.ofNanos(eventNanos));
		}
		long stormEnd = this.ticker.read();
		advance(INTERVAL);

		// at most one per interval during the storm, plus the trailing one
		assertThat(this.applied).hasSizeLessThanOrEqualTo((int) (storm.toNanos() / INTERVAL.toNanos()) + 1);
		assertThat(this.tasks).isEmpty();
		long lastApplied = this.appliedAt.get(this.appliedAt.size() - 1);
		assertThat(lastApplied - stormEnd).isLessThanOrEqualTo(INTERVAL.toNanos());
		assertThat(lastApplied).isGreaterThan(start);
		// and the last one carries every chat folded into it
		assertThat(this.applied.get(this.applied.size() - 1).chatIds()).containsExactlyInAnyOrder("chat_0", "chat_1",
				"chat_2");
	}

	@Test
	void eachAttendeeAndAccountHasAnIntervalOfItsOwn() {
		admit(event("a", "chat_1", "message_received"));

		assertThat(admit(event("b", "chat_1", "message_received")).attendeeIds()).containsExactly("b");
		assertThat(admit(new Invalidation(Set.of("a"), Set.of("chat_1"), Set.of(), "webhook",
				new Invalidation.Cause("message_received", "acc_2", 0)))
			.attendeeIds()).containsExactly("a");
	}

	@Test
	void partlyFoldedEventLetsItsDueAttendeesThroughAtOnceAndFoldsItsChatsIntoTheOthersTrailingInvalidation() {
		admit(event("a", "chat_1", "message_received"));

		Invalidation now = admit(new Invalidation(Set.of("a", "b"), Set.of("chat_2"), Set.of(), "webhook",
				new Invalidation.Cause("message_received", "acc_1", 0)));

		assertThat(now.attendeeIds()).containsExactly("b");
		assertThat(now.chatIds()).isEmpty();
		advance(INTERVAL);
		assertThat(this.applied.get(this.applied.size() - 1).attendeeIds()).containsExactly("a");
		assertThat(this.applied.get(this.applied.size() - 1).chatIds()).containsExactly("chat_2");
	}

	@Test
	void eventThatNamesNoAttendeeIsCoalescedPerChat() {
		Invalidation read = new Invalidation(Set.of(), Set.of("chat_1"), Set.of(), "webhook",
				new Invalidation.Cause("message_read", "acc_1", 0));

		assertThat(admit(read)).isEqualTo(read);
		assertThat(admit(read).isEmpty()).isTrue();
		advance(INTERVAL);
		assertThat(this.applied.get(this.applied.size() - 1).chatIds()).containsExactly("chat_1");
	}

	private Invalidation admit(Invalidation event) {
		Invalidation now = this.coalescer.admit(event, INTERVAL, this::apply);
		if (!now.isEmpty()) {
			apply(now);
		}
		return now;
	}

	private void apply(Invalidation invalidation) {
		this.applied.add(invalidation);
		this.appliedAt.add(this.ticker.read());
	}

	/** Moves the clock, running the tasks that fall due on the way, in order. */
	private void advance(Duration duration) {
		long until = this.ticker.read() + duration.toNanos();
		while (true) {
			Task next = this.tasks.stream()
				.filter((task) -> task.atNanos() <= until)
				.min(Comparator.comparingLong(Task::atNanos))
				.orElse(null);
			if (next == null) {
				break;
			}
			this.tasks.remove(next);
			this.ticker.advance(Duration.ofNanos(Math.max(0, next.atNanos() - this.ticker.read())));
			next.task().run();
		}
		this.ticker.advance(Duration.ofNanos(until - this.ticker.read()));
	}

	private static Invalidation event(String attendee, String chat, String reason) {
		return new Invalidation(Set.of(attendee), Set.of(chat), Set.of(), "webhook",
				new Invalidation.Cause(reason, "acc_1", 0));
	}

	private record Task(long atNanos, Runnable task) {
	}

}
