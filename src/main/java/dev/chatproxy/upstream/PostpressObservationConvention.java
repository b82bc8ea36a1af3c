package dev.chatproxy.upstream;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;

import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.client.ClientHttpObservationDocumentation.HighCardinalityKeyNames;
import org.springframework.web.reactive.function.client.ClientHttpObservationDocumentation.LowCardinalityKeyNames;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientRequestObservationContext;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.DefaultClientRequestObservationConvention;

/**
 * Tags postpress call metrics with the endpoint's URI template alone
 * ({@value PostpressClient#CHATS_URI}): WebClient would prefix it with the path of the
 * base URL ({@code /api/v1}), so that dashboards would depend on where postpress is. Each
 * attempt's span also gets its number and postpress' {@code Retry-After}, and its URL is
 * the template unless ids may be traced ({@code proxy.tracing.include-ids}).
 */
class PostpressObservationConvention extends DefaultClientRequestObservationConvention {

	/** The span attribute with the number of the attempt, from 1. */
	static final String ATTEMPT = "chatproxy.upstream.attempt";

	/** The span attribute with postpress' {@code Retry-After}, when it sent one. */
	static final String RETRY_AFTER = "http.response.header.retry-after";

	private static final KeyValue CHATS_URI = KeyValue.of(LowCardinalityKeyNames.URI, PostpressClient.CHATS_URI);

	private final boolean includeIds;

	PostpressObservationConvention() {
		this(false);
	}

	/**
	 * @param includeIds whether the span may hold the called URL, with the attendee and
	 * account ids of the request
	 */
	PostpressObservationConvention(boolean includeIds) {
		this.includeIds = includeIds;
	}

	@Override
	protected KeyValue uri(ClientRequestObservationContext context) {
		String template = context.getUriTemplate();
		return (template != null && template.endsWith(PostpressClient.CHATS_URI)) ? CHATS_URI : super.uri(context);
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(ClientRequestObservationContext context) {
		KeyValues values = super.getHighCardinalityKeyValues(context);
		ClientRequest request = context.getRequest();
		if (request != null) {
			Object attempt = request.attribute(PostpressClient.ATTEMPT).orElse(null);
			if (attempt != null) {
				values = values.and(ATTEMPT, attempt.toString());
			}
		}
		ClientResponse response = context.getResponse();
		if (response != null) {
			String retryAfter = response.headers().asHttpHeaders().getFirst(HttpHeaders.RETRY_AFTER);
			if (retryAfter != null) {
				values = values.and(RETRY_AFTER, retryAfter);
			}
		}
		return values;
	}

	@Override
	protected KeyValue httpUrl(ClientRequestObservationContext context) {
		if (this.includeIds) {
			return super.httpUrl(context);
		}
		String template = context.getUriTemplate();
		return KeyValue.of(HighCardinalityKeyNames.HTTP_URL,
				(template != null && template.endsWith(PostpressClient.CHATS_URI)) ? template : "none");
	}

}
