package dev.chatproxy.support;

import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;

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

	/**
	 * The secret postpress sends its webhooks with, in tests that give the proxy one
	 * ({@code proxy.webhook.secret}).
	 */
	public static final String WEBHOOK_SECRET = "whsec_postpress_0123456789";

	private Postpress() {
	}

	/**
	 * The JVM's one fake postpress, on a random loopback port, started on first use and
	 * stopped with the JVM. {@link ProxyIntegrationTest} points the application at it and
	 * resets it before each test.
	 * @return the running server
	 */
	public static WireMockServer server() {
		return Shared.SERVER;
	}

	/**
	 * The gate that holds the answers of stubs naming {@link UpstreamGate#NAME}; open at
	 * the start of each test.
	 * @return the gate
	 */
	public static UpstreamGate gate() {
		return Shared.GATE;
	}

	/**
	 * Stubs an answer that waits on the {@link #gate()}, and closes the gate.
	 * @param request the request to answer
	 * @param answer the answer, given once the gate opens
	 * @return the closed gate
	 */
	public static UpstreamGate hold(MappingBuilder request, ResponseDefinitionBuilder answer) {
		server().stubFor(request.willReturn(answer.withTransformers(UpstreamGate.NAME)));
		UpstreamGate gate = gate();
		gate.close();
		return gate;
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

	/** Holds the server, so that it starts on first use (the holder idiom). */
	private static final class Shared {

		static final UpstreamGate GATE = new UpstreamGate();

		static final WireMockServer SERVER = start();

		private static WireMockServer start() {
			WireMockServer server = new WireMockServer(
					wireMockConfig().dynamicPort().bindAddress("127.0.0.1").containerThreads(64).extensions(GATE));
			server.start();
			Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "postpress-fake-stop"));
			return server;
		}

	}

}
