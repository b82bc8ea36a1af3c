package dev.chatproxy.chats;

import java.util.Map;

import dev.chatproxy.system.RequestIds;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Gives the chats endpoint its {@link ChatsPages.Lookup}: the one the
 * {@link CachedHitFilter} made before a miss (or the refusal it met, thrown here), else
 * one made here from the path and the query, so that a request is parsed, validated,
 * scoped and keyed once whichever way it comes.
 */
class LookupArgumentResolver implements HandlerMethodArgumentResolver {

	/** The request attribute that carries the filter's lookup, or its refusal. */
	static final String ATTRIBUTE = LookupArgumentResolver.class.getName() + ".lookup";

	private final ObjectProvider<ChatsPages> pages;

	/**
	 * @param pages the way from a request to its page, looked up at the first request
	 */
	LookupArgumentResolver(ObjectProvider<ChatsPages> pages) {
		this.pages = pages;
	}

	/**
	 * Hands a lookup the cache has missed on to the endpoint.
	 * @param request the request
	 * @param lookup its lookup
	 */
	static void handOn(HttpServletRequest request, ChatsPages.Lookup lookup) {
		request.setAttribute(ATTRIBUTE, lookup);
	}

	/**
	 * Hands on why a request cannot be looked up, for the endpoint to answer in the
	 * envelope.
	 * @param request the request
	 * @param refusal the invalid input or the caller's missing permission
	 */
	static void handOn(HttpServletRequest request, RuntimeException refusal) {
		request.setAttribute(ATTRIBUTE, refusal);
	}

	@Override
	public boolean supportsParameter(MethodParameter parameter) {
		return parameter.getParameterType() == ChatsPages.Lookup.class;
	}

	@Override
	public ChatsPages.Lookup resolveArgument(MethodParameter parameter, @Nullable ModelAndViewContainer mavContainer,
			NativeWebRequest webRequest, @Nullable WebDataBinderFactory binderFactory) {
		HttpServletRequest request = webRequest.getNativeRequest(HttpServletRequest.class);
		if (request == null) {
			throw new IllegalStateException("Not a servlet request");
		}
		Object handedOn = request.getAttribute(ATTRIBUTE);
		if (handedOn instanceof ChatsPages.Lookup lookup) {
			return lookup;
		}
		if (handedOn instanceof RuntimeException refusal) {
			throw refusal;
		}
		return this.pages.getObject()
			.lookup(attendeeId(request), request.getQueryString(), RequestIds.current(request));
	}

	/** The path's {@code attendee_id}, decoded, as Spring MVC matched it. */
	private static String attendeeId(HttpServletRequest request) {
		Object variables = request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
		Object attendeeId = (variables instanceof Map<?, ?> map) ? map.get(ChatsQueryParser.ATTENDEE_ID) : null;
		if (attendeeId instanceof String id) {
			return id;
		}
		throw new IllegalStateException("The chats route has no " + ChatsQueryParser.ATTENDEE_ID);
	}

}
