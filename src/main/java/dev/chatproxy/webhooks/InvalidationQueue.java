package dev.chatproxy.webhooks;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;

import dev.chatproxy.cache.Invalidation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;

/**
 * Applies webhook events after their 200 has gone, one at a time, from a bounded queue: a
 * burst never blocks postpress' calls nor grows the heap; what does not fit is dropped
 * and counted (the pages it would have touched expire at their TTL).
 */
class InvalidationQueue implements DisposableBean {

	/**
	 * Observation of one event's invalidation, child of the webhook request's: the pages
	 * it marked stale.
	 */
	static final String INVALIDATION = "chatproxy.webhook.invalidation";

	private static final Logger logger = LoggerFactory.getLogger(InvalidationQueue.class);

	private final ToIntFunction<Invalidation> invalidations;

	private final ThreadPoolExecutor executor;

	private final Counter dropped;

	private final ObservationRegistry observations;

	InvalidationQueue(ToIntFunction<Invalidation> invalidations, int capacity, MeterRegistry meters) {
		this(invalidations, capacity, meters, ObservationRegistry.NOOP);
	}

	InvalidationQueue(ToIntFunction<Invalidation> invalidations, int capacity, MeterRegistry meters,
			ObservationRegistry observations) {
		this.invalidations = invalidations;
		this.observations = observations;
		this.dropped = Counter.builder("chatproxy.webhook.dropped")
			.description("Webhook events not applied because the queue was full")
			.register(meters);
		this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(capacity),
				(task) -> {
					Thread thread = new Thread(task, "webhook-invalidations");
					thread.setDaemon(true);
					return thread;
				}, (task, executor) -> this.dropped.increment());
	}

	/**
	 * Queues the event, or drops and counts it when the queue is full; never blocks.
	 * @param event the event to apply
	 */
	void submit(MessageEvent event) {
		// the invalidation's span is a child of the webhook request's, though it runs
		// after
		Observation webhook = this.observations.getCurrentObservation();
		this.executor.execute(() -> {
			Observation invalidation = Observation.createNotStarted(INVALIDATION, this.observations)
				.parentObservation(webhook)
				.contextualName("webhook invalidation")
				.start();
			try (Observation.Scope scope = invalidation.openScope()) {
				apply(event, invalidation);
			}
			finally {
				invalidation.stop();
			}
		});
	}

	private void apply(MessageEvent event, Observation observation) {
		try {
			int marked = this.invalidations.applyAsInt(event.invalidation());
			observation.highCardinalityKeyValue("webhook.event", event.name())
				.highCardinalityKeyValue("chatproxy.invalidation.pages_marked", Integer.toString(marked));
			logger.debug("Webhook {} for chats {} and attendees {}: {} pages marked stale", event.name(),
					event.invalidation().chatIds(), event.invalidation().attendeeIds(), marked);
		}
		catch (RuntimeException ex) {
			observation.error(ex);
			logger.warn("Webhook {} could not be applied", event.name(), ex);
		}
	}

	@Override
	public void destroy() {
		this.executor.shutdown();
	}

}
