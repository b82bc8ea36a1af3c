package dev.chatproxy.support;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import com.github.benmanes.caffeine.cache.Ticker;

/**
 * A cache clock that moves only when a test says so.
 */
public final class ManualTicker implements Ticker {

	private final AtomicLong nanos = new AtomicLong(System.nanoTime());

	@Override
	public long read() {
		return this.nanos.get();
	}

	/**
	 * Moves the clock forward.
	 * @param duration how far
	 */
	public void advance(Duration duration) {
		this.nanos.addAndGet(duration.toNanos());
	}

}
