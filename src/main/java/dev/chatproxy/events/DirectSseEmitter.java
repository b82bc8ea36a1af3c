package dev.chatproxy.events;

import java.io.IOException;
import java.io.OutputStream;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * An emitter whose events are written as ready-made bytes straight to the response, not
 * through {@link #send}: Spring MVC still starts the asynchronous request, sets the
 * headers, times it out and completes it, but each event costs one write and one flush
 * rather than a message converter's lookup, headers and encoding per stream.
 */
final class DirectSseEmitter extends SseEmitter {

	private final HttpServletRequest request;

	private volatile @Nullable ServerHttpResponse response;

	private @Nullable OutputStream body;

	DirectSseEmitter(long timeout, HttpServletRequest request) {
		super(timeout);
		this.request = request;
	}

	/** Called by Spring MVC before it starts the asynchronous request. */
	@Override
	protected void extendResponse(ServerHttpResponse outputMessage) {
		super.extendResponse(outputMessage);
		this.response = outputMessage;
	}

	/**
	 * The response's body, once Spring MVC has started the asynchronous request (from
	 * then on, only the stream's writer writes to it; nothing is ever sent through the
	 * emitter). Only the stream's writer calls this.
	 * @return the body, or {@code null} when the request is not asynchronous yet
	 */
	@Nullable OutputStream body() throws IOException {
		if (this.body == null) {
			ServerHttpResponse response = this.response;
			if (response == null || !this.request.isAsyncStarted()) {
				return null;
			}
			// writes the headers Spring MVC set, text/event-stream among them
			this.body = response.getBody();
		}
		return this.body;
	}

	/**
	 * Sends what was written to the client ({@link #body()}'s own flush does nothing).
	 * Only the stream's writer calls this, after writing to the body.
	 */
	void flush() throws IOException {
		ServerHttpResponse response = this.response;
		if (response != null) {
			response.flush();
		}
	}

}
