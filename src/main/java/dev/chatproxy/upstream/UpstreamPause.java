package dev.chatproxy.upstream;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * The fleet's hold on calls to postpress after it answered 429 with {@code Retry-After}
 * (CONTRACT.md section 9). Only fleet mode has one: a single replica passes a 429 on.
 */
public interface UpstreamPause {

	/**
	 * The pause in force, read from memory: asking costs no round trip.
	 * @return the pause, or {@code null} when calls may be made
	 */
	@Nullable Pause current();

	/**
	 * Holds back every replica's calls until the given time.
	 * @param pause until when, and what to answer meanwhile
	 */
	void pause(Pause pause);

	/**
	 * A hold on calls, with postpress' error type and title to answer while it lasts.
	 *
	 * @param until the wall-clock time at which calls may resume
	 * @param type the error type postpress answered the 429 with
	 * @param title its title
	 */
	record Pause(Instant until, String type, String title) {

		/**
		 * Whether this pause lasts longer than the other one.
		 * @param other another pause, or {@code null}
		 * @return {@code true} when this one ends later
		 */
		public boolean outlasts(@Nullable Pause other) {
			return other == null || this.until.isAfter(other.until);
		}

	}

}
