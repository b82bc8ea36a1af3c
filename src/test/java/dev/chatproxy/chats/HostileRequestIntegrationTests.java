package dev.chatproxy.chats;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.chatproxy.support.HostileInputs;
import dev.chatproxy.support.Postpress;
import dev.chatproxy.support.ProxyClient;
import dev.chatproxy.support.ProxyIntegrationTest;
import dev.chatproxy.support.RawHttp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile requests through the real server (CONTRACT.md section 1): Tomcat, Spring and
 * the proxy each decode part of a request, so these go over a raw socket exactly as
 * written. Every one is answered 400 in the envelope, never a 5xx, and never reaches
 * postpress.
 */
@ProxyIntegrationTest
class HostileRequestIntegrationTests {

	private static final WireMockServer postpress = Postpress.server();

	@Autowired
	ProxyClient proxy;

	@BeforeEach
	void answerEverything() {
		postpress.stubFor(Postpress.chats().willReturn(Postpress.page(1, null)));
		postpress.stubFor(com.github.tomakehurst.wiremock.client.WireMock.any(anyUrl())
			.atPriority(10)
			.willReturn(Postpress.page(1, null)));
	}

	@ParameterizedTest
	@ValueSource(strings = { "/attendees/%2e%2e/chats", "/attendees/%2E%2E/chats", "/attendees/.%2e/chats",
			"/attendees/%2e/chats", "/attendees/%252e%252e/chats", "/attendees/a;b/chats", "/attendees/a;/chats",
			"/attendees/a/chats;x=1", "/attendees/a%3Bb/chats", "/attendees/a%2F..%2Fb/chats",
			"/attendees/%2e%2e%2fchats/chats", "/attendees/%c0%ae%c0%ae/chats", "/attendees/a%00/chats",
			"/attendees/a%0d%0ab/chats", "/attendees/a,%2e%2e/chats", "/attendees/a/chats?=x",
			"/attendees/a/chats?limit=%zz", "/attendees/a/chats?a%zz=1", "/attendees/a/chats?cursor=%c0%ae",
			"/attendees/a/chats?limit=1&limit=2", "/attendees/a/chats?accountId=x", "/attendees/a%zz/chats" })
	void answersHostileRequestsWith400InTheEnvelopeWithoutCallingPostpress(String target) {
		String response = RawHttp.get(this.proxy.port(), target);

		assertThat(response).startsWith("HTTP/1.1 400")
			.contains("Content-Type: application/problem+json")
			.contains("\"type\":\"errors/invalid_parameters\"")
			.doesNotContain(Postpress.API_KEY);
		postpress.verify(0, anyRequestedFor(anyUrl()));
	}

	@Test
	void noGeneratedHostileIdReachesPostpressAsAnotherEndpoint() {
		HostileInputs.raw(150).forEach((raw) -> {
			String target = "/attendees/" + raw.replace(" ", "%20")
				.replace("\r", "%0d")
				.replace("\n", "%0a")
				.replace("#", "%23")
				.replace("?", "%3f") + "/chats";
			String response = RawHttp.get(this.proxy.port(), target);
			assertThat(response).as(target).matches("(?s)HTTP/1.1 (200|400|404) .*");
			if (!response.startsWith("HTTP/1.1 200")) {
				assertThat(response).as(target).contains("Content-Type: application/problem+json");
			}
		});
		postpress.getAllServeEvents()
			.forEach((event) -> assertThat(event.getRequest().getUrl()).as("seed " + HostileInputs.SEED)
				.matches(Postpress.BASE_PATH + "/chat_attendees/[^/;]+/chats(\\?.*)?")
				.doesNotContainIgnoringCase("%2e%2e"));
	}

}
