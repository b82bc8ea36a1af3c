package dev.chatproxy.upstream;

import java.time.Clock;
import java.time.Duration;

import dev.chatproxy.system.TracingProperties;
import io.github.bucket4j.TimeMeter;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.common.retry.configuration.RetryConfigCustomizer;
import io.github.resilience4j.retry.RetryRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.netty.channel.ChannelOption;
import org.jspecify.annotations.Nullable;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Builds the one WebClient to postpress, from Boot's builder so that its calls are
 * measured, and the resilient client around it.
 */
@Configuration(proxyBeanMethods = false)
class PostpressClientConfiguration {

	static final String INSTANCE = "postpress";

	@Bean
	ResilientPostpressClient resilientPostpressClient(PostpressProperties properties, WebClient.Builder builder,
			JsonMapper jsonMapper, ObjectProvider<BuildProperties> buildProperties, RetryRegistry retries,
			CircuitBreakerRegistry circuitBreakers, BulkheadRegistry bulkheads, UpstreamAdmission upstreamAdmission,
			TracingProperties tracing) {
		String apiKey = properties.requireApiKey();
		WebClient webClient = builder.baseUrl(properties.baseUrl().toString())
			.clientConnector(new ReactorClientHttpConnector(httpClient(properties)))
			.codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize((int) properties.maxResponseSize().toBytes()))
			.defaultHeader("X-API-KEY", apiKey)
			.defaultHeader(HttpHeaders.ACCEPT, MediaType.APPLICATION_JSON_VALUE)
			.defaultHeader(HttpHeaders.USER_AGENT, userAgent(buildProperties.getIfAvailable()))
			.observationConvention(new PostpressObservationConvention(tracing.includeIds()))
			.build();
		PostpressClient client = new PostpressClient(webClient, jsonMapper,
				new UpstreamErrorDecoder(jsonMapper, apiKey), new UpstreamUriCheck(properties.baseUrl()));
		return new ResilientPostpressClient(client, retries.retry(INSTANCE), circuitBreakers.circuitBreaker(INSTANCE),
				bulkheads.bulkhead(INSTANCE), upstreamAdmission, properties);
	}

	/**
	 * The budget and the 429 pause: fleet mode's, shared in Redis, when it provides them;
	 * else this replica's own budget, if one is configured, and no pause. Tests drive the
	 * budget's clock with a {@link TimeMeter} bean, and the pause's with a {@link Clock}.
	 */
	@Bean
	UpstreamAdmission upstreamAdmission(PostpressProperties properties, ObjectProvider<UpstreamBudget> fleetBudget,
			ObjectProvider<UpstreamPause> fleetPause, ObjectProvider<TimeMeter> budgetClock,
			ObjectProvider<Clock> clock, MeterRegistry meters, ObjectProvider<ObservationRegistry> observations) {
		UpstreamBudget budget = fleetBudget.getIfAvailable(
				() -> properties.rateLimit().enabled()
						? new LocalUpstreamBudget(properties.rateLimit(),
								budgetClock.getIfAvailable(() -> TimeMeter.SYSTEM_NANOTIME))
						: UpstreamBudget.UNLIMITED);
		return new UpstreamAdmission(budget, fleetPause.getIfAvailable(), clock.getIfAvailable(Clock::systemUTC),
				meters, observations.getIfAvailable(() -> ObservationRegistry.NOOP));
	}

	/**
	 * Lets the retry honour postpress' {@code Retry-After} and the request's deadline, on
	 * top of the backoff configured under {@code resilience4j.retry}.
	 */
	@Bean
	RetryConfigCustomizer postpressRetryAfter() {
		return RetryConfigCustomizer.of(INSTANCE, (builder) -> builder
			.intervalBiFunction(new RetryAfterInterval(builder.build().getIntervalBiFunction())));
	}

	private static HttpClient httpClient(PostpressProperties properties) {
		// idle connections are closed before upstream load balancers silently drop them
		ConnectionProvider connections = ConnectionProvider.builder(INSTANCE)
			.maxIdleTime(Duration.ofSeconds(20))
			.evictInBackground(Duration.ofSeconds(30))
			.build();
		return HttpClient.create(connections)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) properties.connectTimeout().toMillis())
			.responseTimeout(properties.responseTimeout());
	}

	private static String userAgent(@Nullable BuildProperties build) {
		return "chat-proxy/" + ((build != null) ? build.getVersion() : "dev");
	}

}
