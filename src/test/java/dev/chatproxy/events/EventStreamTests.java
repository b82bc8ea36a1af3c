package dev.chatproxy.events;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * A stream's writer: the event's bytes as they are, one stream's blocked client blocking
 * nobody else, and a stream that falls behind refusing more.
 */
class EventStreamTests {

	private static final byte[] EVENT = ChatStreams
		.frame(SseEmitter.event().id("r-1").name("chats-changed").data("{}"));

	// the pool Java 17 gets, so that a writer blocked on one stream holds a thread
	private final ExecutorService writers = Executors.newFixedThreadPool(2);

	private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

	@AfterEach
	void stop() {
		this.writers.shutdownNow();
		this.scheduler.shutdownNow();
	}

	@Test
	void writesTheEventsBytesAsTheyAre() {
		Body body = new Body(null);
		EventStream stream = stream(body, 4);
		assertThat(stream.offer(EVENT)).isTrue();
		assertThat(stream.offer(EVENT)).isTrue();
		await().until(() -> body.written().length == 2 * EVENT.length);
		assertThat(new String(body.written(), StandardCharsets.UTF_8))
			.isEqualTo("id:r-1\nevent:chats-changed\ndata:{}\n\n".repeat(2));
	}

	@Test
	void aClientThatReadsNothingBlocksOnlyItsOwnStreamAndEndingItWaitsForNoWrite() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		Body stuck = new Body(release);
		EventStream slow = stream(stuck, 2);
		Body fine = new Body(null);
		EventStream other = stream(fine, 2);
		assertThat(slow.offer(EVENT)).isTrue();
		await().until(stuck::blocked);
		assertThat(slow.offer(EVENT)).isTrue();
		assertThat(slow.offer(EVENT)).isTrue();
		assertThat(slow.offer(EVENT)).as("a third event waiting for the blocked client").isFalse();
		assertThat(other.offer(EVENT)).isTrue();
		await().until(() -> fine.written().length == EVENT.length);
		assertThat(slow.end()).isTrue();
		assertThat(release.getCount()).as("the write still blocked after end()").isEqualTo(1);
		release.countDown();
		await().untilAsserted(() -> assertThatIllegalStateException().isThrownBy(() -> slow.emitter().send("x")));
		assertThat(stuck.written()).hasSize(EVENT.length);
	}

	@Test
	void anEndedStreamIsCompletedAndTakesNothingMore() {
		Body body = new Body(null);
		EventStream stream = stream(body, 2);
		assertThat(stream.end()).isTrue();
		assertThat(stream.end()).isFalse();
		assertThat(stream.offer(EVENT)).isTrue();
		assertThatIllegalStateException().isThrownBy(() -> stream.emitter().send("x"));
		assertThat(body.written()).isEmpty();
	}

	private EventStream stream(Body body, int capacity) {
		MockHttpServletRequest request = new MockHttpServletRequest();
		request.setAsyncStarted(true);
		DirectSseEmitter emitter = new DirectSseEmitter(60_000, request);
		emitter.extendResponse(new Response(body));
		return new EventStream(emitter, List.of("att_1"), List.of(), false, capacity, this.writers, this.scheduler);
	}

	/**
	 * A client's connection: takes what is written, or blocks the first write until
	 * released.
	 */
	private static final class Body extends OutputStream {

		private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

		private final CountDownLatch release;

		private volatile boolean blocked;

		Body(CountDownLatch release) {
			this.release = release;
		}

		@Override
		public void write(int b) {
			write(new byte[] { (byte) b }, 0, 1);
		}

		@Override
		public void write(byte[] b, int off, int len) {
			if (this.release != null) {
				this.blocked = true;
				try {
					this.release.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			synchronized (this.bytes) {
				this.bytes.write(b, off, len);
			}
		}

		boolean blocked() {
			return this.blocked;
		}

		byte[] written() {
			synchronized (this.bytes) {
				return this.bytes.toByteArray();
			}
		}

	}

	private record Response(OutputStream body) implements ServerHttpResponse {

		@Override
		public OutputStream getBody() {
			return this.body;
		}

		@Override
		public HttpHeaders getHeaders() {
			return new HttpHeaders();
		}

		@Override
		public void setStatusCode(HttpStatusCode status) {
		}

		@Override
		public void flush() throws IOException {
		}

		@Override
		public void close() {
		}

	}

}
