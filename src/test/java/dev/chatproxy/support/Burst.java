package dev.chatproxy.support;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Concurrent requests held on {@link Postpress#gate()}: all are sent at once, a check
 * runs while they are in flight, then the gate opens and every answer is awaited. Used by
 * {@link ProxyClient#burst} for one application and by the fleet tests across replicas.
 */
public final class Burst {

	private Burst() {
	}

	/**
	 * Sends requests at once; {@code whileInFlight} runs once all are sent, then
	 * {@link Postpress#gate()} is released and every answer awaited.
	 * @param count how many
	 * @param request sends the request of an index, from 0
	 * @param whileInFlight what to do (or await) while the requests are in flight
	 * @return the responses, in the order of their indexes
	 */
	public static List<HttpResponse<String>> send(int count, IntFunction<HttpResponse<String>> request,
			Runnable whileInFlight) {
		ExecutorService callers = Executors.newFixedThreadPool(count);
		try {
			CountDownLatch ready = new CountDownLatch(count);
			CountDownLatch start = new CountDownLatch(1);
			List<Future<HttpResponse<String>>> futures = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				int index = i;
				futures.add(callers.submit(() -> {
					ready.countDown();
					start.await();
					return request.apply(index);
				}));
			}
			assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
			start.countDown();
			try {
				whileInFlight.run();
			}
			finally {
				Postpress.gate().release();
			}
			List<HttpResponse<String>> responses = new ArrayList<>();
			for (Future<HttpResponse<String>> future : futures) {
				responses.add(future.get(60, TimeUnit.SECONDS));
			}
			return responses;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new IllegalStateException(ex);
		}
		finally {
			callers.shutdownNow();
		}
	}

}
