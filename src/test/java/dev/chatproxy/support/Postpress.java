package dev.chatproxy.support;

import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;

import org.springframework.test.context.DynamicPropertyRegistry;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

/**
 * A fake postpress over real HTTP (WireMock on 127.0.0.1) and the pages and envelopes it
 * answers with.
 */
public final class Postpress {

	/** The key the proxy is configured with in tests; it must never leak. */
	public static final String API_KEY = "pp_test_5ecr3t_k3y_do_not_leak";

	/** Path prefix of the fake, as in postpress' base URL. */
	public static final String BASE_PATH = "/api/v1";

	private Postpress() {
	}

	/**
	 * A WireMock server on a random loopback port, reset before each test.
	 * @return the extension to register
	 */
	public static WireMockExtension server() {
		return WireMockExtension.newInstance()
			.options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").containerThreads(64))
			.build();
	}

	/**
	 * Points the proxy at the fake, with the test key and test-sized resilience settings:
	 * 3 attempts with 10-20 ms backoff, a breaker that opens after 4 failures of 4 calls.
	 * @param registry the registry of the test
	 * @param server the fake
	 */
	public static void configure(DynamicPropertyRegistry registry, WireMockExtension server) {
		registry.add("postpress.base-url", () -> server.baseUrl() + BASE_PATH);
		registry.add("postpress.api-key", () -> API_KEY);
		registry.add("resilience4j.retry.configs.default.wait-duration", () -> "10ms");
		registry.add("resilience4j.retry.configs.default.exponential-max-wait-duration", () -> "20ms");
		registry.add("resilience4j.circuitbreaker.configs.default.sliding-window-size", () -> "4");
		registry.add("resilience4j.circuitbreaker.configs.default.minimum-number-of-calls", () -> "4");
	}

	/**
	 * Matches postpress' list-attendee-chats endpoint for any attendee.
	 * @return the request pattern
	 */
	public static MappingBuilder chats() {
		return WireMock.get(WireMock.urlPathMatching(BASE_PATH + "/chat_attendees/[^/]+/chats"));
	}

	/**
	 * Matches postpress' list-attendee-chats endpoint for one encoded attendee path
	 * segment.
	 * @param encodedAttendeeId the attendee id as it appears in the path
	 * @return the request pattern
	 */
	public static MappingBuilder chats(String encodedAttendeeId) {
		return WireMock.get(WireMock.urlPathEqualTo(BASE_PATH + "/chat_attendees/" + encodedAttendeeId + "/chats"));
	}

	/**
	 * A 200 answer with a page.
	 * @param items number of chats
	 * @param cursor next cursor, or {@code null}
	 * @return the answer
	 */
	public static ResponseDefinitionBuilder page(int items, String cursor) {
		return WireMock.okForContentType("application/json", pageJson(items, cursor));
	}

	/**
	 * A page of the seed's shape, with chats numbered from 0.
	 * @param items number of chats
	 * @param cursor next cursor, or {@code null}
	 * @return the JSON
	 */
	public static String pageJson(int items, String cursor) {
		String chats = IntStream.range(0, items).mapToObj(Postpress::chatJson).collect(Collectors.joining(","));
		return "{\"object\":\"ChatList\",\"items\":[" + chats + "],\"cursor\":"
				+ ((cursor != null) ? "\"" + cursor + "\"" : "null") + "}";
	}

	/**
	 * One chat of the seed's shape.
	 * @param index its number
	 * @return the JSON
	 */
	public static String chatJson(int index) {
		return """
				{"object":"Chat","id":"chat_%1$d","account_id":"acc_1","account_type":"LINKEDIN",\
				"provider_id":"urn:li:msg_conversation:%1$d","attendee_provider_id":"ACoAACr-%1$d",\
				"name":"Contact %1$d","type":0,"timestamp":"2026-05-16T18:24:11.000Z","unread_count":%1$d,\
				"archived":0,"muted_until":null,"read_only":0,"pinned":0,"folder":["INBOX","INBOX_LINKEDIN_CLASSIC"]}"""
			.formatted(index);
	}

	/**
	 * An error answer in the seed's envelope.
	 * @param status the status
	 * @param type the error type, such as {@code errors/resource_not_found}
	 * @return the answer
	 */
	public static ResponseDefinitionBuilder error(int status, String type) {
		return WireMock.aResponse()
			.withStatus(status)
			.withHeader("Content-Type", "application/json")
			.withBody("{\"type\":\"" + type + "\",\"title\":\"Title of " + type + "\",\"status\":" + status
					+ ",\"detail\":\"Detail of " + type + "\",\"instance\":\"upstream-req-1\"}");
	}

}
