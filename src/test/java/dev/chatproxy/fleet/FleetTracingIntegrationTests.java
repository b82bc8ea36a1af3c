package dev.chatproxy.fleet;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import dev.chatproxy.cache.PageKey;
import dev.chatproxy.support.OtlpReceiver;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.RedisServer;
import dev.chatproxy.upstream.ChatsQuery;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A replica in fleet mode exports its spans over real OTLP/HTTP, as configured by Spring
 * Boot's standard key, to a collector (a small one in the test): a miss has its Redis
 * commands and its upstream call in the caller's trace, and nothing secret is exported.
 */
class FleetTracingIntegrationTests {

	@RegisterExtension
	static RedisServer redis = new RedisServer();

	@RegisterExtension
	static OtlpReceiver collector = new OtlpReceiver();

	private static final WireMockServer postpress = Postpress.server();

	static Replica replica;

	@BeforeAll
	static void start() {
		replica = Replica.start(redis, postpress, "proxy.cache.redis-timeout=1s",
				"management.opentelemetry.tracing.export.otlp.endpoint=" + collector.endpoint(),
				"management.opentelemetry.tracing.export.schedule-delay=50ms",
				"management.tracing.sampling.probability=1.0");
		replica.awaitSubscribed();
	}

	@AfterAll
	static void stop() {
		replica.close();
	}

	@Test
	void missInFleetModeHasItsRedisCommandsAndUpstreamCallInTheCallersTrace() {
		warmUp();
		String traceId = id(32);

		assertThat(replica
			.get("/attendees/att_fleet_traced/chats", "traceparent", "00-" + traceId + "-00f067aa0ba902b7-01",
					"Authorization", "Bearer not.a.token")
			.statusCode()).isEqualTo(200);

		assertThat(postpress.findAll(WireMock.anyRequestedFor(WireMock.anyUrl()))).singleElement()
			.satisfies((call) -> assertThat(call.getHeader("traceparent")).startsWith("00-" + traceId + "-"));
		List<Span> trace = exported(traceId);
		Span fetch = only(trace, "cache fetch");
		List<Span> attempts = trace.stream()
			.filter((span) -> span.getKind() == SpanKind.SPAN_KIND_CLIENT && span.getName().equals("http get"))
			.toList();
		assertThat(attempts).isNotEmpty()
			.allSatisfy((attempt) -> assertThat(attempt.getParentSpanId()).isEqualTo(fetch.getSpanId()));
		assertThat(attempts).anySatisfy(
				(attempt) -> assertThat(OtlpReceiver.attribute(attempt, "chatproxy.upstream.attempt")).isEqualTo("1"));
		// the shared tier's read, lease and store, each a Redis command span under the
		// fetch
		List<Span> redisCommands = trace.stream()
			.filter((span) -> span.getKind() == SpanKind.SPAN_KIND_CLIENT && !span.getName().equals("http get"))
			.toList();
		assertThat(redisCommands).isNotEmpty();
		assertThat(redisCommands).allSatisfy((span) -> assertThat(
				trace.stream().anyMatch((parent) -> parent.getSpanId().equals(span.getParentSpanId())))
			.isTrue());
		Span lookup = trace.stream()
			.filter((span) -> span.getName().equals("cache lookup")
					&& "upstream".equals(OtlpReceiver.attribute(span, "cache.tier")))
			.findFirst()
			.orElseThrow();
		assertThat(OtlpReceiver.attribute(lookup, "cache.result")).isEqualTo("miss");
		assertThat(collector.requests()).allSatisfy((request) -> assertThat(request.toString())
			.doesNotContain(Postpress.API_KEY, "not.a.token", "att_fleet_traced"));
	}

	@Test
	void missWaitingForAnotherReplicasFetchLinksToThatFetchsSpan() {
		warmUp();
		String attendee = "att_fleet_waiter";
		String digest = PageKey
			.of(new ChatsQuery(List.of(attendee), null, null, null, ChatsQuery.DEFAULT_LIMIT, List.of()))
			.digest();
		// another replica's fetch, in a sampled trace of its own, holds the page's lease
		// and dies: this replica waits for it, then takes the lease over
		String holderTrace = id(32);
		String holderSpan = id(16);
		redis.command("SET", Leases.leaseKey(digest), "dead-holder;" + holderTrace + "-" + holderSpan, "PX", "1500");
		String traceId = id(32);

		assertThat(replica
			.get("/attendees/" + attendee + "/chats", "traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
			.statusCode()).isEqualTo(200);

		List<Span> trace = exported(traceId);
		Span fetch = only(trace, "cache fetch");
		Span wait = only(trace, "fleet lease wait");
		assertThat(wait.getParentSpanId()).isEqualTo(fetch.getSpanId());
		assertThat(OtlpReceiver.attribute(wait, "fleet.lease.result")).isEqualTo("taken-over");
		assertThat(wait.getLinksList()).singleElement().satisfies((link) -> {
			assertThat(OtlpReceiver.hex(link.getTraceId().toByteArray())).isEqualTo(holderTrace);
			assertThat(OtlpReceiver.hex(link.getSpanId().toByteArray())).isEqualTo(holderSpan);
		});
		// the attempts came once the wait was over, under the same fetch
		assertThat(trace).filteredOn((span) -> span.getName().equals("http get")).isNotEmpty().allSatisfy((attempt) -> {
			assertThat(attempt.getParentSpanId()).isEqualTo(fetch.getSpanId());
			assertThat(attempt.getStartTimeUnixNano()).isGreaterThanOrEqualTo(wait.getEndTimeUnixNano());
		});
		assertThat(postpress.findAll(WireMock.anyRequestedFor(WireMock.anyUrl()))).singleElement()
			.satisfies((call) -> assertThat(call.getHeader("traceparent")).startsWith("00-" + traceId + "-"));
	}

	/** The spans of a trace, once its server span (the last to end) is exported. */
	private static List<Span> exported(String traceId) {
		await().atMost(Duration.ofSeconds(20))
			.until(() -> collector.trace(traceId)
				.stream()
				.anyMatch((span) -> span.getKind() == SpanKind.SPAN_KIND_SERVER));
		return collector.trace(traceId);
	}

	/** A first request warms the replica up: on a busy machine its first may time out. */
	private static void warmUp() {
		postpress.resetAll();
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(3, null)));
		await("a warmed-up replica").atMost(Duration.ofSeconds(90))
			.until(() -> replica.get("/attendees/att_warm_up/chats").statusCode() == 200);
		postpress.resetRequests();
	}

	private static String id(int hexDigits) {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		StringBuilder id = new StringBuilder(hexDigits);
		while (id.length() < hexDigits) {
			id.append("%016x".formatted(random.nextLong()));
		}
		return id.substring(0, hexDigits);
	}

	private static Span only(List<Span> trace, String name) {
		List<Span> named = trace.stream().filter((span) -> span.getName().equals(name)).toList();
		assertThat(named).as("%s", trace).hasSize(1);
		return named.get(0);
	}

}
