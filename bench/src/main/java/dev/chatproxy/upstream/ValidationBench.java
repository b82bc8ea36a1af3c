package dev.chatproxy.upstream;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Cost of validating one 200 page on a miss: the streaming {@link ChatListValidator} against
 * the record binding it replaced (copied here as it was). Not part of the application:
 * {@code bench/validation.sh} compiles it against the jar's classes and runs it, one thread,
 * after a warm-up, and prints one line per page size and method with the median of 7 batches.
 */
public final class ValidationBench {

	private ValidationBench() {
	}

	public static void main(String[] args) {
		JsonMapper mapper = JsonMapper.builder().build();
		ChatListValidator validator = new ChatListValidator(mapper.tokenStreamFactory());
		for (int size : new int[] { 1, 100 }) {
			byte[] page = page(size);
			long iterations = (size == 1) ? 200_000 : 4_000;
			for (String method : new String[] { "binding", "streaming" }) {
				Runnable validation = method.equals("binding") ? () -> bind(mapper, page)
						: () -> check(validator, page);
				double[] batches = new double[7];
				for (int warm = 0; warm < 3; warm++) {
					time(validation, iterations);
				}
				for (int i = 0; i < batches.length; i++) {
					batches[i] = time(validation, iterations);
				}
				java.util.Arrays.sort(batches);
				System.out.printf("VALIDATION items=%d bytes=%d method=%s us_per_page=%.2f%n", size, page.length, method,
						batches[batches.length / 2]);
			}
		}
	}

	private static double time(Runnable validation, long iterations) {
		long start = System.nanoTime();
		for (long i = 0; i < iterations; i++) {
			validation.run();
		}
		return (System.nanoTime() - start) / 1000.0 / iterations;
	}

	private static void bind(JsonMapper mapper, byte[] page) {
		BoundChatList list = mapper.readValue(page, BoundChatList.class);
		if (list == null || !list.isValid()) {
			throw new IllegalStateException("binding rejected a valid page");
		}
	}

	private static void check(ChatListValidator validator, byte[] page) {
		if (validator.read(page) == null) {
			throw new IllegalStateException("the validator rejected a valid page");
		}
	}

	private static byte[] page(int items) {
		String chats = IntStream.range(0, items).mapToObj((i) -> """
				{"object":"Chat","id":"chat_%1$d","account_id":"acc_1","account_type":"LINKEDIN",\
				"provider_id":"urn:li:msg_conversation:%1$d","attendee_provider_id":"ACoAACr-%1$d",\
				"name":"Contact %1$d","type":0,"timestamp":"2026-05-16T18:24:11.000Z","unread_count":%1$d,\
				"archived":0,"muted_until":null,"read_only":0,"disabledFeatures":[],"subject":"Hello %1$d",\
				"pinned":0,"folder":["INBOX","INBOX_LINKEDIN_CLASSIC"]}""".formatted(i))
			.collect(Collectors.joining(","));
		return ("{\"object\":\"ChatList\",\"items\":[" + chats + "],\"cursor\":\"next\"}")
			.getBytes(StandardCharsets.UTF_8);
	}

	/** The binding target the validator replaced, as it was. */
	record BoundChatList(String object, List<BoundChat> items, String cursor,
			@JsonAnySetter Map<String, Object> other) {

		boolean isValid() {
			return "ChatList".equals(this.object) && this.items != null
					&& this.items.stream().allMatch((chat) -> chat != null && chat.isValid());
		}

	}

	/** One chat of the replaced binding, with every field of the seed, as it was. */
	record BoundChat(String object, String id, @JsonProperty("account_id") String accountId,
			@JsonProperty("account_type") String accountType, @JsonProperty("provider_id") String providerId,
			@JsonProperty("attendee_provider_id") String attendeeProviderId, String name, Integer type,
			String timestamp, @JsonProperty("unread_count") Integer unreadCount, Integer archived,
			@JsonProperty("muted_until") JsonNode mutedUntil, @JsonProperty("read_only") Integer readOnly,
			List<String> disabledFeatures, String subject, @JsonProperty("organization_id") String organizationId,
			@JsonProperty("mailbox_id") String mailboxId, @JsonProperty("content_type") String contentType,
			List<String> folder, Integer pinned, @JsonAnySetter Map<String, Object> other) {

		boolean isValid() {
			return this.id != null && !this.id.isEmpty() && this.accountId != null && !this.accountId.isEmpty();
		}

	}

}
