package dev.chatproxy.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link SimulatedPostpress}, over real HTTP.
 */
class SimulatedPostpressTests {

	private static final String KEY = "pp_test_key";

	private static final JsonMapper json = JsonMapper.shared();

	private final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(2))
		.build();

	private SimulatedPostpress simulator;

	@BeforeEach
	void startSimulator() {
		this.simulator = SimulatedPostpress.start(0, KEY, Duration.ZERO);
	}

	@AfterEach
	void stopSimulator() {
		this.simulator.close();
	}

	@Test
	void walksEveryPageOfAnAttendeeGettingEachChatOnceNewestFirst() throws Exception {
		List<JsonNode> chats = allChats(ChatDataset.JORDAN, "limit=50");
		assertThat(this.simulator.callCount()).isEqualTo(5);
		assertThat(chats).hasSize(242);
		assertThat(chats.stream().map((chat) -> chat.get("id").asString())).doesNotHaveDuplicates();
		List<String> timestamps = chats.stream()
			.map((chat) -> chat.get("timestamp"))
			.filter((timestamp) -> !timestamp.isNull())
			.map(JsonNode::asString)
			.toList();
		assertThat(timestamps).isSortedAccordingTo((a, b) -> b.compareTo(a));
		assertThat(chats.subList(timestamps.size(), chats.size())).isNotEmpty()
			.allMatch((chat) -> chat.get("timestamp").isNull());
	}

	@Test
	void answersOneHundredChatsByDefaultWithACursorInTheSeedFormat() throws Exception {
		JsonNode page = ok(chats(ChatDataset.JORDAN, ""));
		assertThat(page.get("items").size()).isEqualTo(100);
		String cursor = new String(Base64.getUrlDecoder().decode(page.get("cursor").asString()));
		assertThat(cursor).startsWith("{\"o\":100,");
	}

	@ParameterizedTest
	@CsvSource({ "att_01HXYZ4QK3WJ8FN3M6QH7TZ8GR, 130, 68, 44", "ACoAACr-1eYBlq7Xw3nZ0pT9sK4uVb8hJm2, 130, 0, 0",
			"att_01HY7R2D9K5M3N8P4Q6S1T0V2W, 20, 108, 34", "33612345678%40s.whatsapp.net, 0, 108, 0",
			"att_01J0A4B6C8D2E5F7G9H1J3K5M7, 25, 0, 60", "att_01J1B3C5D7E9F2G4H6J8K0M2N4, 5, 0, 0" })
	void restrictsChatsToTheGivenAccounts(String attendee, int linkedIn, int whatsApp, int telegram) throws Exception {
		assertThat(countOnOnePage(attendee, "account_id=" + ChatDataset.LINKEDIN.id())).isEqualTo(linkedIn);
		assertThat(countOnOnePage(attendee, "account_id=" + ChatDataset.WHATSAPP.id())).isEqualTo(whatsApp);
		assertThat(countOnOnePage(attendee, "account_id=" + ChatDataset.TELEGRAM.id())).isEqualTo(telegram);
		assertThat(
				countOnOnePage(attendee, "account_id=" + ChatDataset.WHATSAPP.id() + "%2C" + ChatDataset.TELEGRAM.id()))
			.isEqualTo(whatsApp + telegram);
	}

	@Test
	void filtersOnCreationTimeStrictly() throws Exception {
		List<SimulatedChat> all = ChatDataset.standard().chatsOf(Set.of(ChatDataset.MEI));
		Instant after = all.get(10).createdAt();
		Instant before = all.get(20).createdAt();
		Instant from = (after.isBefore(before)) ? after : before;
		Instant to = (after.isBefore(before)) ? before : after;
		JsonNode page = ok(chats(ChatDataset.MEI, "limit=250&after=" + ChatGenerator.ISO_MILLIS.format(from)
				+ "&before=" + ChatGenerator.ISO_MILLIS.format(to)));
		List<String> expected = all.stream()
			.filter((chat) -> chat.createdAt().isAfter(from) && chat.createdAt().isBefore(to))
			.map(SimulatedChat::id)
			.toList();
		assertThat(page.get("items").values().stream().map((chat) -> chat.get("id").asString()))
			.containsExactlyElementsOf(expected)
			.isNotEmpty()
			.doesNotContain(all.get(10).id(), all.get(20).id());
	}

	@Test
	void unitesSeveralAttendeesCountingSharedChatsOnce() throws Exception {
		assertThat(allChats(ChatDataset.JORDAN + "%2C" + ChatDataset.ANA, "limit=250").stream()
			.map((chat) -> chat.get("id").asString())).hasSize(242 + 162 - 12).doesNotHaveDuplicates();
		assertThat(countOnOnePage(ChatDataset.JORDAN_ON_LINKEDIN + "," + ChatDataset.JORDAN,
				"account_id=" + ChatDataset.LINKEDIN.id()))
			.isEqualTo(130);
	}

	@Test
	void keepsPlusSignsInPercentEncodedIds() throws Exception {
		HttpResponse<String> response = chats("att_1%2B2%40x", "");
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(json.readTree(response.body()).get("detail").asString()).contains("'att_1+2@x'");
	}

	@Test
	void rejectsARequestWithoutKey() throws Exception {
		HttpResponse<String> response = send(request(chatsUri(ChatDataset.JORDAN)).header("X-Request-Id", "req-42"));
		assertProblem(response, 401, "errors/missing_credentials");
		assertThat(json.readTree(response.body()).get("instance").asString()).isEqualTo("req-42");
	}

	@Test
	void rejectsAWrongKey() throws Exception {
		HttpResponse<String> response = send(
				request(chatsUri(ChatDataset.JORDAN)).header("X-API-KEY", "pp_live_wrong"));
		assertProblem(response, 401, "errors/invalid_credentials");
	}

	@Test
	void answersNotFoundForAnUnknownAttendee() throws Exception {
		assertProblem(chats(ChatDataset.JORDAN + ",att_unknown", ""), 404, "errors/resource_not_found");
		assertProblem(chats("att%20with%20spaces", ""), 404, "errors/invalid_resource_identifier");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|',
			value = { "limit=0|limit", "limit=251|limit", "limit=ten|limit", "before=2026-05-16T18:24:11Z|before",
					"after=2026-13-01T00:00:00.000Z|after", "account_id=|account_id", "cursor=|cursor",
					"cursor=bm90LWEtY3Vyc29y|cursor", "accountId=acc_1|accountId", "limit=5&limit=6|limit" })
	void rejectsInvalidParametersNamingThem(String query, String parameter) throws Exception {
		HttpResponse<String> response = chats(ChatDataset.JORDAN, query);
		assertProblem(response, 400, "errors/invalid_parameters");
		assertThat(json.readTree(response.body()).get("detail").asString()).contains(parameter);
	}

	@Test
	void rejectsACursorReplayedWithOtherFilters() throws Exception {
		String cursor = ok(chats(ChatDataset.JORDAN, "limit=10&account_id=" + ChatDataset.LINKEDIN.id())).get("cursor")
			.asString();
		assertProblem(chats(ChatDataset.JORDAN, "limit=10&cursor=" + cursor), 400, "errors/invalid_parameters");
		assertThat(
				ok(chats(ChatDataset.JORDAN, "limit=20&account_id=" + ChatDataset.LINKEDIN.id() + "&cursor=" + cursor))
					.get("items")
					.size())
			.isEqualTo(20);
	}

	@Test
	void failsWithTheRequestedStatusAndRetryAfterUntilHealthyAgain() throws Exception {
		assertThat(control("POST", "mode?mode=error&status=503&retry_after=7").body())
			.isEqualTo("{\"calls\":0,\"mode\":\"error\",\"status\":503,\"retry_after\":7}");
		HttpResponse<String> failed = chats(ChatDataset.SAM, "");
		assertProblem(failed, 503, "errors/service_unavailable");
		assertThat(failed.headers().firstValue("Retry-After")).hasValue("7");
		assertProblem(chats(ChatDataset.SAM, ""), 503, "errors/service_unavailable");
		control("POST", "mode?mode=healthy");
		assertThat(chats(ChatDataset.SAM, "").statusCode()).isEqualTo(200);
	}

	@Test
	void failsOnlyTheGivenNumberOfCalls() throws Exception {
		this.simulator.mode(SimulatorMode.error(500, null).times(2));
		assertProblem(chats(ChatDataset.SAM, ""), 500, "errors/unexpected_error");
		assertThat(chats(ChatDataset.SAM, "").headers().firstValue("Retry-After")).isEmpty();
		assertThat(chats(ChatDataset.SAM, "").statusCode()).isEqualTo(200);
		assertThat(this.simulator.mode()).isEqualTo(SimulatorMode.healthy());
	}

	@Test
	void closesTheConnectionWithoutAnswerInResetMode() throws Exception {
		control("POST", "mode?mode=reset");
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> chats(ChatDataset.SAM, ""))
			.isNotInstanceOf(HttpTimeoutException.class);
	}

	@Test
	void neverAnswersInHangMode() throws Exception {
		this.simulator.mode(SimulatorMode.hang());
		HttpRequest request = request(chatsUri(ChatDataset.SAM)).header("X-API-KEY", KEY)
			.timeout(Duration.ofMillis(500))
			.build();
		assertThatExceptionOfType(HttpTimeoutException.class)
			.isThrownBy(() -> this.client.send(request, HttpResponse.BodyHandlers.ofString()));
		this.simulator.mode(SimulatorMode.healthy());
		assertThat(chats(ChatDataset.SAM, "").statusCode()).isEqualTo(200);
	}

	@Test
	void answersLateInSlowMode() throws Exception {
		control("POST", "mode?mode=slow&delay_ms=300");
		long start = System.nanoTime();
		assertThat(chats(ChatDataset.SAM, "").statusCode()).isEqualTo(200);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
	}

	@Test
	void rejectsUnknownModes() throws Exception {
		assertProblem(control("POST", "mode?mode=explode"), 400, "errors/invalid_parameters");
		assertProblem(control("POST", "mode?mode=error&status=418"), 400, "errors/invalid_parameters");
		assertProblem(control("POST", "mode?mode=slow&delay=5"), 400, "errors/invalid_parameters");
		assertThat(this.simulator.mode()).isEqualTo(SimulatorMode.healthy());
	}

	@Test
	void countsEveryApiCallButNotControlCalls() throws Exception {
		chats(ChatDataset.SAM, "");
		chats("att_unknown", "");
		send(request(chatsUri(ChatDataset.SAM)));
		assertThat(this.simulator.callCount()).isEqualTo(3);
		assertThat(json.readTree(control("GET", "stats").body()).get("calls").asLong()).isEqualTo(3);
		JsonNode byAttendee = json.readTree(control("GET", "stats").body()).get("calls_by_attendee");
		assertThat(byAttendee.get(ChatDataset.SAM).asLong()).isEqualTo(2);
		assertThat(byAttendee.get("att_unknown").asLong()).isEqualTo(1);
		control("POST", "mode?mode=hang");
		assertThat(control("POST", "reset").body()).isEqualTo("{\"calls\":0,\"mode\":\"healthy\"}");
		assertThat(this.simulator.callCount()).isZero();
	}

	@Test
	void servesEverySeedFieldAsValidJson() throws Exception {
		List<JsonNode> chats = allChats(
				ChatDataset.JORDAN + "," + ChatDataset.ANA + "," + ChatDataset.MEI + "," + ChatDataset.SAM,
				"limit=250");
		assertThat(chats).hasSize(482)
			.allSatisfy((chat) -> assertThat(chat.propertyNames()).contains("object", "id", "account_id",
					"account_type", "provider_id", "name", "type", "timestamp", "unread_count", "archived",
					"muted_until", "read_only", "pinned", "folder"));
		assertThat(chats.stream().flatMap((chat) -> chat.propertyNames().stream())).contains("attendee_provider_id",
				"disabledFeatures", "subject", "organization_id", "mailbox_id", "content_type");
		assertThat(chats).filteredOn((chat) -> chat.get("name").isNull()).isNotEmpty();
		assertThat(chats).filteredOn((chat) -> chat.get("name").asString().contains("\"")).isNotEmpty();
		assertThat(chats).filteredOn((chat) -> chat.get("timestamp").isNull()).isNotEmpty();
		assertThat(chats).filteredOn((chat) -> chat.get("muted_until").isNull()).isNotEmpty();
		assertThat(chats).filteredOn((chat) -> chat.get("muted_until").isNumber())
			.isNotEmpty()
			.allMatch((chat) -> chat.get("muted_until").asInt() == -1);
		assertThat(chats).filteredOn((chat) -> chat.get("muted_until").isString()).isNotEmpty();
		assertThat(chats).filteredOn((chat) -> chat.get("type").asInt() == 2).isNotEmpty();
		assertThat(chats).filteredOn((chat) -> chat.get("read_only").asInt() == 2).isNotEmpty();
	}

	@Test
	void generatesTheSameChatsFromTheSameSeed() {
		ChatGenerator first = new ChatGenerator(7);
		ChatGenerator second = new ChatGenerator(7);
		for (int i = 0; i < 50; i++) {
			assertThat(first.chat(ChatDataset.TELEGRAM, false)).isEqualTo(second.chat(ChatDataset.TELEGRAM, false));
		}
	}

	private List<JsonNode> allChats(String attendee, String query) throws Exception {
		List<JsonNode> chats = new ArrayList<>();
		String cursor = null;
		int pages = 0;
		do {
			JsonNode page = ok(chats(attendee, query + ((cursor != null) ? "&cursor=" + cursor : "")));
			assertThat(page.get("object").asString()).isEqualTo("ChatList");
			page.get("items").values().forEach(chats::add);
			cursor = page.get("cursor").isNull() ? null : page.get("cursor").asString();
			pages++;
		}
		while (cursor != null && pages < 20);
		assertThat(cursor).as("cursor of the last page").isNull();
		return chats;
	}

	private int countOnOnePage(String attendee, String query) throws Exception {
		JsonNode page = ok(chats(attendee, "limit=250" + (query.isEmpty() ? "" : "&" + query)));
		assertThat(page.get("cursor").isNull()).isTrue();
		return page.get("items").size();
	}

	private HttpResponse<String> chats(String rawAttendeeIds, String rawQuery) throws Exception {
		return send(request(chatsUri(rawAttendeeIds) + (rawQuery.isEmpty() ? "" : "?" + rawQuery)).header("X-API-KEY",
				KEY));
	}

	private String chatsUri(String rawAttendeeIds) {
		return this.simulator.baseUrl() + "/chat_attendees/" + rawAttendeeIds + "/chats";
	}

	private HttpResponse<String> control(String method, String action) throws Exception {
		return send(request(this.simulator.controlUrl() + "/" + action).method(method,
				HttpRequest.BodyPublishers.noBody()));
	}

	private HttpRequest.Builder request(String uri) {
		return HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(5));
	}

	private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
		return this.client.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static JsonNode ok(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
		return json.readTree(response.body());
	}

	private static void assertProblem(HttpResponse<String> response, int status, String type) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
		JsonNode problem = json.readTree(response.body());
		assertThat(problem.propertyNames()).containsExactly("type", "title", "status", "detail", "instance");
		assertThat(problem.get("type").asString()).isEqualTo(type);
		assertThat(problem.get("status").asInt()).isEqualTo(status);
	}

}
