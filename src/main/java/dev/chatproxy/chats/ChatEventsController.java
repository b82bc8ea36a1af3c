package dev.chatproxy.chats;

import java.util.Map;

import dev.chatproxy.callers.AccountScope;
import dev.chatproxy.events.ChatStreams;
import dev.chatproxy.upstream.ChatsQuery;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Opens a live-update stream of an attendee's chat list (CONTRACT.md section 13), with
 * the list's own validation and the caller's account scope; no parameter but
 * {@code account_id}.
 */
@RestController
class ChatEventsController {

	static final String LAST_EVENT_ID = "Last-Event-ID";

	private final ChatStreams streams;

	private final AccountScope accountScope;

	ChatEventsController(ChatStreams streams, AccountScope accountScope) {
		this.streams = streams;
		this.accountScope = accountScope;
	}

	@GetMapping(ChatsApiConfiguration.EVENTS_ROUTE)
	SseEmitter events(@PathVariable("attendee_id") String attendeeId, HttpServletRequest request) {
		Map<String, String[]> parameters = QueryString.parse(request.getQueryString());
		parameters.keySet().forEach((name) -> {
			if (!"account_id".equals(name)) {
				throw new InvalidParameter(name,
						"Unknown query parameter '" + QueryString.printable(name) + "'. Allowed: account_id.");
			}
		});
		ChatsQuery query = this.accountScope.narrow(ChatsQueryParser.parse(attendeeId, parameters));
		String lastEventId = request.getHeader(LAST_EVENT_ID);
		return this.streams.open(query.attendeeIds(), query.accountIds(), this.accountScope.isScoped(),
				(lastEventId != null && !lastEventId.isBlank()) ? lastEventId.trim() : null,
				this.accountScope.tokenExpiry(), request);
	}

}
