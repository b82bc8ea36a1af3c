package dev.chatproxy.system;

import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How much the access log writes.
 *
 * @param hitSampling one line for every this many cache hits ({@code Cache-Status} with
 * {@code hit}, status below 400); misses, stale answers and errors always get their line;
 * 1 (the default) logs every request
 */
@ConfigurationProperties("proxy.access-log")
@Validated
public record AccessLogProperties(@Positive @DefaultValue("1") int hitSampling) {

}
