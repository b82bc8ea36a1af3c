package dev.chatproxy.upstream;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.chatproxy.support.HostileInputs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.web.util.DefaultUriBuilderFactory;
import org.springframework.web.util.UriUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Property tests of the upstream URI, built as the WebClient builds it and checked by
 * {@link UpstreamUriCheck}: for any query, even one whose ids the inbound validation
 * would have refused, the call either is refused before it is made or goes to
 * {@code {base}/chat_attendees/{one segment}/chats} on postpress' host, a path that
 * normalisation leaves unchanged.
 */
class UpstreamUriPropertyTests {

	private static final URI BASE = URI.create("https://postpress.example:8443/api/v1");

	private final UpstreamUriCheck uriCheck = new UpstreamUriCheck(BASE);

	@Test
	void everyQueryIsRefusedOrCallsTheOneEndpoint() {
		Random random = new Random(HostileInputs.SEED);
		List<String> values = HostileInputs.raw(5000).toList();
		for (String value : values) {
			String decoded = decodeLeniently(value);
			List<String> ids = random.nextBoolean() ? List.of(decoded) : List.of(decoded, "a", value);
			ChatsQuery query = new ChatsQuery(ids, random.nextBoolean() ? value : null, null, null, 100,
					random.nextBoolean() ? List.of(value) : List.of());
			URI uri;
			try {
				uri = this.uriCheck.check(build(query));
			}
			catch (UpstreamRejection ex) {
				assertThat(ex.getStatusCode().value()).as(describe(value)).isEqualTo(400);
				continue;
			}
			assertThat(uri.getScheme() + "://" + uri.getRawAuthority()).as(describe(value))
				.isEqualTo("https://postpress.example:8443");
			assertThat(uri.getRawPath()).as(describe(value)).matches("/api/v1/chat_attendees/[^/;\\\\]+/chats");
			assertThat(uri.normalize().getRawPath()).as(describe(value)).isEqualTo(uri.getRawPath());
			String segment = uri.getRawPath().split("/")[4];
			assertThat(UriUtils.decode(segment, StandardCharsets.UTF_8)).as(describe(value))
				.isEqualTo(String.join(",", query.attendeeIds()))
				.isNotIn(".", "..");
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { ".", "..", " .. ", "" })
	void refusesDotSegmentsAndEmptyIdsEvenIfValidationLetThemThrough(String attendeeId) {
		ChatsQuery query = new ChatsQuery(List.of(attendeeId), null, null, null, 100, List.of());
		assertThatExceptionOfType(UpstreamRejection.class).isThrownBy(() -> this.uriCheck.check(build(query)))
			.satisfies((ex) -> assertThat(ex.type()).isEqualTo("errors/invalid_parameters"));
	}

	@Test
	void refusesAnotherHostOrPath() {
		assertThatExceptionOfType(UpstreamRejection.class)
			.isThrownBy(() -> this.uriCheck.check(URI.create("https://evil.example/api/v1/chat_attendees/a/chats")));
		assertThatExceptionOfType(UpstreamRejection.class)
			.isThrownBy(() -> this.uriCheck.check(URI.create("https://postpress.example:8443/api/v1/chats")));
		assertThatExceptionOfType(UpstreamRejection.class).isThrownBy(() -> this.uriCheck
			.check(URI.create("https://postpress.example:8443/api/v1/chat_attendees/a/b/chats")));
		assertThatExceptionOfType(UpstreamRejection.class).isThrownBy(() -> this.uriCheck
			.check(URI.create("https://postpress.example:8443/api/v1/chat_attendees/%2e%2E/chats")));
	}

	@Test
	void letsAPlainCallThrough() {
		ChatsQuery query = new ChatsQuery(List.of("b", "33612345678@s.whatsapp.net"), "c+/=", null, null, 5,
				List.of("acc_1"));
		assertThat(this.uriCheck.check(build(query)))
			.hasToString("https://postpress.example:8443/api/v1/chat_attendees/33612345678%40s.whatsapp.net%2Cb/chats"
					+ "?cursor=c%2B%2F%3D&limit=5&account_id=acc_1");
	}

	@Test
	void theQueryIsTheSameSerialisationAsTheCacheKeyEncodedByTheBuilder() {
		ChatsQuery query = new ChatsQuery(List.of("a"), "x&after=y %", "2026-05-16T18:24:11.000Z",
				"2026-01-01T00:00:00.000Z", 7, List.of("acc_2", "acc_1"));
		URI uri = this.uriCheck.check(build(query));

		Map<String, String> sent = new LinkedHashMap<>();
		for (String pair : uri.getRawQuery().split("&")) {
			String[] nameAndValue = pair.split("=", 2);
			sent.put(nameAndValue[0], UriUtils.decode(nameAndValue[1], StandardCharsets.UTF_8));
		}
		Map<String, String> expected = new LinkedHashMap<>(query.parameters());
		expected.remove(ChatsQuery.ATTENDEE_ID);
		assertThat(sent).containsExactlyEntriesOf(expected);
		assertThat(uri.getRawQuery()).startsWith("cursor=x%26after%3Dy%20%25&before=");
	}

	/** The URI exactly as the WebClient builds it from its base URL and the template. */
	private static URI build(ChatsQuery query) {
		return PostpressClient.uri(new DefaultUriBuilderFactory(BASE.toString()).uriString(PostpressClient.CHATS_URI),
				query);
	}

	private static String decodeLeniently(String raw) {
		try {
			return UriUtils.decode(raw, StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			return raw;
		}
	}

	private static String describe(String value) {
		return "value " + value.replace("\r", "\\r").replace("\n", "\\n") + " (seed " + HostileInputs.SEED + ")";
	}

}
