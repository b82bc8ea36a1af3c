package dev.chatproxy.chats;

import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

import org.springframework.core.MethodParameter;
import org.springframework.http.ResponseEntity;
import org.springframework.util.ReflectionUtils;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * Writes a {@link ChatsAnswer} with the handler Spring MVC uses for its content: a ready
 * {@code ResponseEntity} synchronously, a pending {@code CompletableFuture} through an
 * asynchronous dispatch.
 */
class ChatsAnswerReturnValueHandler implements HandlerMethodReturnValueHandler {

	private static final MethodParameter READY = returnTypeOf("ready");

	private static final MethodParameter PENDING = returnTypeOf("pending");

	private final HandlerMethodReturnValueHandler ready;

	private final HandlerMethodReturnValueHandler pending;

	/**
	 * @param handlers Spring MVC's own return value handlers
	 */
	ChatsAnswerReturnValueHandler(List<HandlerMethodReturnValueHandler> handlers) {
		this.ready = delegateFor(handlers, READY);
		this.pending = delegateFor(handlers, PENDING);
	}

	@Override
	public boolean supportsReturnType(MethodParameter returnType) {
		return ChatsAnswer.class.isAssignableFrom(returnType.getParameterType());
	}

	@Override
	public void handleReturnValue(@Nullable Object returnValue, MethodParameter returnType,
			ModelAndViewContainer mavContainer, NativeWebRequest webRequest) throws Exception {
		if (returnValue instanceof ChatsAnswer.Ready answer) {
			this.ready.handleReturnValue(answer.response(), READY, mavContainer, webRequest);
		}
		else if (returnValue instanceof ChatsAnswer.Pending answer) {
			this.pending.handleReturnValue(answer.response(), PENDING, mavContainer, webRequest);
		}
		else {
			throw new IllegalStateException("Not a ChatsAnswer: " + returnValue);
		}
	}

	private static HandlerMethodReturnValueHandler delegateFor(List<HandlerMethodReturnValueHandler> handlers,
			MethodParameter returnType) {
		return handlers.stream()
			.filter((handler) -> handler.supportsReturnType(returnType))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("Spring MVC cannot write " + returnType));
	}

	private static MethodParameter returnTypeOf(String methodName) {
		Method method = ReflectionUtils.findMethod(Signatures.class, methodName);
		if (method == null) {
			throw new IllegalStateException("Signatures." + methodName + " is missing");
		}
		return new MethodParameter(method, -1);
	}

	/** The return types the delegates are chosen by, as real method signatures. */
	interface Signatures {

		ResponseEntity<byte[]> ready();

		CompletableFuture<ResponseEntity<byte[]>> pending();

	}

}
