package dev.chatproxy.cache;

import java.util.Map;
import java.util.Set;

import dev.chatproxy.system.ProblemType;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.web.ErrorResponseException;

/**
 * {@code POST /actuator/invalidations} on the management port: marks stale the pages of
 * an attendee, an account or a chat, e.g. for support when a list looks wrong
 * (CONTRACT.md section 10).
 */
@Endpoint(id = "invalidations")
class InvalidationsEndpoint {

	private static final String SOURCE = "operator";

	private final Invalidations invalidations;

	InvalidationsEndpoint(Invalidations invalidations) {
		this.invalidations = invalidations;
	}

	/**
	 * Marks the pages stale; parameters are named as on the wire, in the query or a JSON
	 * body.
	 * @param attendee_id pages asked for this attendee
	 * @param account_id pages asked for, or listing chats of, this account
	 * @param chat_id pages listing this chat
	 * @return how many pages this replica marked stale
	 */
	@WriteOperation
	Map<String, Integer> invalidate(@Nullable String attendee_id, @Nullable String account_id,
			@Nullable String chat_id) {
		Invalidation invalidation = new Invalidation(ids(attendee_id), ids(chat_id), ids(account_id), SOURCE,
				new Invalidation.Cause(SOURCE, (account_id != null && !account_id.isBlank()) ? account_id.trim() : null,
						System.currentTimeMillis()));
		if (invalidation.isEmpty()) {
			throw new NothingToInvalidate();
		}
		return Map.of("invalidated", this.invalidations.invalidate(invalidation));
	}

	/**
	 * A request that names no page, answered 400 in the error envelope.
	 */
	static class NothingToInvalidate extends ErrorResponseException {

		NothingToInvalidate() {
			super(ProblemType.INVALID_PARAMETERS.status(),
					ProblemType.INVALID_PARAMETERS.problem("Name an attendee_id, an account_id or a chat_id."), null);
		}

	}

	private static Set<String> ids(@Nullable String id) {
		return (id != null && !id.isBlank()) ? Set.of(id.trim()) : Set.of();
	}

}
