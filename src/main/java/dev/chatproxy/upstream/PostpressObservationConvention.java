package dev.chatproxy.upstream;

import io.micrometer.common.KeyValue;

import org.springframework.web.reactive.function.client.ClientHttpObservationDocumentation.LowCardinalityKeyNames;
import org.springframework.web.reactive.function.client.ClientRequestObservationContext;
import org.springframework.web.reactive.function.client.DefaultClientRequestObservationConvention;

/**
 * Tags postpress call metrics with the endpoint's URI template alone
 * ({@value PostpressClient#CHATS_URI}): WebClient would prefix it with the path of the
 * base URL ({@code /api/v1}), so that dashboards would depend on where postpress is.
 */
class PostpressObservationConvention extends DefaultClientRequestObservationConvention {

	private static final KeyValue CHATS_URI = KeyValue.of(LowCardinalityKeyNames.URI, PostpressClient.CHATS_URI);

	@Override
	protected KeyValue uri(ClientRequestObservationContext context) {
		String template = context.getUriTemplate();
		return (template != null && template.endsWith(PostpressClient.CHATS_URI)) ? CHATS_URI : super.uri(context);
	}

}
