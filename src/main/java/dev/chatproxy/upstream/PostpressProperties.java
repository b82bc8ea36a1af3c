package dev.chatproxy.upstream;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.StringUtils;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Where postpress is and how long we are prepared to wait for it.
 *
 * @param baseUrl base URL of the postpress API, up to and including its version segment
 * @param apiKey secret API key sent as {@code X-API-KEY}; required, from
 * {@code POSTPRESS_API_KEY}
 * @param connectTimeout time allowed to open a connection to postpress
 * @param responseTimeout time allowed for one attempt, from request to the last byte of
 * the response
 * @param deadline overall time a caller may wait, all retries included
 * @param maxResponseSize largest response body accepted from postpress
 * @param rateLimit the budget of calls to postpress; off unless
 * {@code requests-per-second} is set
 */
@Validated
@ConfigurationProperties("postpress")
public record PostpressProperties(@NotNull @DefaultValue("https://api.postpress.ai/api/v1") URI baseUrl,
		@Nullable String apiKey, @NotNull @DurationMin(millis = 1) @DefaultValue("2s") Duration connectTimeout,
		@NotNull @DurationMin(millis = 1) @DefaultValue("10s") Duration responseTimeout,
		@NotNull @DurationMin(millis = 1) @DefaultValue("25s") Duration deadline,
		@NotNull @DefaultValue("16MB") DataSize maxResponseSize, @Valid @NotNull @DefaultValue RateLimit rateLimit) {

	/**
	 * Returns the API key, failing with a message that names the variable to set.
	 * @return the API key
	 */
	public String requireApiKey() {
		if (!StringUtils.hasText(this.apiKey)) {
			throw new MissingApiKey();
		}
		return this.apiKey;
	}

	@Override
	public String toString() {
		return "PostpressProperties[baseUrl=" + this.baseUrl + ", apiKey=" + (this.apiKey != null ? "******" : null)
				+ ", connectTimeout=" + this.connectTimeout + ", responseTimeout=" + this.responseTimeout
				+ ", deadline=" + this.deadline + ", maxResponseSize=" + this.maxResponseSize + ", rateLimit="
				+ this.rateLimit + "]";
	}

	/**
	 * A token bucket capping the calls to postpress: from this replica, or from the whole
	 * fleet in fleet mode. Every attempt draws a token, retries included.
	 *
	 * @param requestsPerSecond calls per second the bucket refills; unset turns the
	 * budget off
	 * @param burst most calls that may be made at once after a quiet spell; unset means
	 * {@code requests-per-second} rounded up
	 */
	public record RateLimit(@Nullable @Positive Double requestsPerSecond, @Nullable @Positive Integer burst) {

		/**
		 * Whether a budget is configured.
		 * @return {@code true} when {@code requests-per-second} is set
		 */
		public boolean enabled() {
			return this.requestsPerSecond != null;
		}

		/**
		 * The bucket's capacity.
		 * @return {@code burst}, or {@code requests-per-second} rounded up
		 */
		public long capacity() {
			if (this.burst != null) {
				return this.burst;
			}
			return (this.requestsPerSecond != null) ? Math.max(1, (long) Math.ceil(this.requestsPerSecond)) : 1;
		}

		/**
		 * Time the bucket takes to refill one token.
		 * @return one second divided by {@code requests-per-second}
		 */
		public Duration refillPeriod() {
			return Duration.ofNanos(Math.max(1, Math.round(1e9 / Objects.requireNonNull(this.requestsPerSecond))));
		}

	}

}
