package dev.chatproxy.upstream;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.util.UriBuilder;

/**
 * Makes one call to postpress' list-attendee-chats endpoint and turns the answer into a
 * validated page or an {@link UpstreamProblem}. Retries and limits are not its business:
 * see {@link ResilientPostpressClient}.
 */
class PostpressClient {

	/** The URI template, also the {@code uri} tag of the upstream call metrics. */
	static final String CHATS_URI = "/chat_attendees/{attendee_id}/chats";

	static final String REQUEST_ID_HEADER = "X-Request-Id";

	/**
	 * The number of the attempt (from 1), in the Reactor context of an attempt and in the
	 * attributes of its request, for its span.
	 */
	static final String ATTEMPT = PostpressClient.class.getName() + ".attempt";

	private final WebClient webClient;

	private final ChatListValidator validator;

	private final UpstreamErrorDecoder errorDecoder;

	private final UpstreamUriCheck uriCheck;

	PostpressClient(WebClient webClient, JsonMapper jsonMapper, UpstreamErrorDecoder errorDecoder,
			UpstreamUriCheck uriCheck) {
		this.webClient = webClient;
		this.validator = new ChatListValidator(jsonMapper.tokenStreamFactory());
		this.errorDecoder = errorDecoder;
		this.uriCheck = uriCheck;
	}

	/**
	 * Fetches one page.
	 * @param query the validated query
	 * @param requestId the request id to pass on
	 * @param deadlineNanos the {@link System#nanoTime()} by which the whole request must
	 * end
	 * @return the page, its JSON exactly as postpress sent it
	 */
	Mono<ChatList> fetch(ChatsQuery query, String requestId, long deadlineNanos) {
		return Mono
			.deferContextual((context) -> this.webClient.get()
				.uri(CHATS_URI, (builder) -> this.uriCheck.check(uri(builder, query)))
				.header(REQUEST_ID_HEADER, requestId)
				.attribute(ATTEMPT, Objects.requireNonNullElse(context.<Integer>getOrDefault(ATTEMPT, 1), 1))
				.exchangeToMono((response) -> read(response, deadlineNanos)))
			.onErrorMap(WebClientRequestException.class, (ex) -> connectionFailure(ex, deadlineNanos))
			.onErrorMap(IOException.class, (ex) -> UpstreamFailure.networkDown(deadlineNanos))
			.onErrorMap(DataBufferLimitException.class,
					(ex) -> new UpstreamBadResponse("postpress answered a page larger than the configured limit"));
	}

	/**
	 * The URI of the call: the query's {@link ChatsQuery#parameters() parameters}, the
	 * attendee ids as the path's one segment and the rest as the query, each a template
	 * variable that the builder encodes strictly.
	 */
	static URI uri(UriBuilder builder, ChatsQuery query) {
		Map<String, String> parameters = query.parameters();
		for (String name : parameters.keySet()) {
			if (!name.equals(ChatsQuery.ATTENDEE_ID)) {
				builder.queryParam(name, "{" + name + "}");
			}
		}
		return builder.build(parameters);
	}

	private Mono<ChatList> read(ClientResponse response, long deadlineNanos) {
		int status = response.statusCode().value();
		HttpHeaders headers = response.headers().asHttpHeaders();
		return response.bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).flatMap((body) -> {
			if (status == 200) {
				return page(body);
			}
			return Mono.error(this.errorDecoder.decode(status, headers, body, deadlineNanos));
		});
	}

	private Mono<ChatList> page(byte[] body) {
		ChatList page = this.validator.read(body);
		if (page != null) {
			return Mono.just(page);
		}
		return Mono.error(new UpstreamBadResponse("postpress answered 200 with a body that is not a ChatList"));
	}

	private static Throwable connectionFailure(WebClientRequestException ex, long deadlineNanos) {
		Throwable cause = ex.getMostSpecificCause();
		if (cause instanceof TimeoutException || cause instanceof io.netty.handler.timeout.TimeoutException) {
			return UpstreamFailure.timeout(deadlineNanos);
		}
		return UpstreamFailure.networkDown(deadlineNanos);
	}

}
