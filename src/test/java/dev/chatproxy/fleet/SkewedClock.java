package dev.chatproxy.fleet;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A replica's wall clock: the system's, off by an offset the test sets and moves, as a
 * machine whose clock disagrees with its neighbours'.
 */
final class SkewedClock extends Clock {

	private final AtomicLong offsetMillis;

	SkewedClock(Duration offset) {
		this.offsetMillis = new AtomicLong(offset.toMillis());
	}

	@Override
	public ZoneId getZone() {
		return ZoneOffset.UTC;
	}

	@Override
	public Clock withZone(ZoneId zone) {
		return this;
	}

	@Override
	public Instant instant() {
		return Instant.now().plusMillis(this.offsetMillis.get());
	}

	void advance(Duration duration) {
		this.offsetMillis.addAndGet(duration.toMillis());
	}

}
