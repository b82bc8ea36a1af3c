package dev.chatproxy.upstream;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import org.springframework.util.StringUtils;

/**
 * One chat of a {@link ChatList}, with every field of the seed.
 * <p>
 * Enumerated fields ({@code account_type}, {@code content_type}, {@code folder}) are
 * strings so that a value the seed does not list passes through; {@code muted_until} is a
 * JSON node because postpress sends a number, a string or {@code null}.
 *
 * @param object always {@code Chat}
 * @param id unique chat id
 * @param accountId the postpress account that owns the chat
 * @param accountType provider behind the chat
 * @param providerId provider-native chat identifier
 * @param attendeeProviderId provider-native id of the other attendee
 * @param name chat or contact name, nullable
 * @param type 0 = 1:1, 1 = group, 2 = broadcast
 * @param timestamp last activity, nullable
 * @param unreadCount number of unread messages
 * @param archived archive flag
 * @param mutedUntil -1, an ISO datetime, or {@code null}
 * @param readOnly read-only state
 * @param disabledFeatures features disabled by the provider
 * @param subject chat subject
 * @param organizationId LinkedIn organization mailbox id
 * @param mailboxId LinkedIn mailbox id
 * @param contentType LinkedIn content classifier
 * @param folder folders the chat belongs to
 * @param pinned pin flag
 * @param other fields the seed does not list
 */
public record Chat(@Nullable String object, @Nullable String id, @JsonProperty("account_id") @Nullable String accountId,
		@JsonProperty("account_type") @Nullable String accountType,
		@JsonProperty("provider_id") @Nullable String providerId,
		@JsonProperty("attendee_provider_id") @Nullable String attendeeProviderId, @Nullable String name,
		@Nullable Integer type, @Nullable String timestamp, @JsonProperty("unread_count") @Nullable Integer unreadCount,
		@Nullable Integer archived, @JsonProperty("muted_until") @Nullable JsonNode mutedUntil,
		@JsonProperty("read_only") @Nullable Integer readOnly, @Nullable List<String> disabledFeatures,
		@Nullable String subject, @JsonProperty("organization_id") @Nullable String organizationId,
		@JsonProperty("mailbox_id") @Nullable String mailboxId,
		@JsonProperty("content_type") @Nullable String contentType, @Nullable List<String> folder,
		@Nullable Integer pinned, @JsonAnySetter Map<String, Object> other) {

	boolean isValid() {
		return StringUtils.hasLength(this.id) && StringUtils.hasLength(this.accountId);
	}

}
