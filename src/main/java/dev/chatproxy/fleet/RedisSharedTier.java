package dev.chatproxy.fleet;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import dev.chatproxy.cache.CachedPage;
import dev.chatproxy.cache.Invalidation;
import dev.chatproxy.cache.PageKey;
import dev.chatproxy.cache.SharedTier;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Span;
import org.jspecify.annotations.Nullable;

/**
 * The shared tier in Redis, with one fetch per page in flight across the fleet, and
 * invalidations and purges announced to every replica through pub/sub.
 * <p>
 * {@link #load} takes the page's lease or, if another replica holds it, waits for that
 * replica to release it (told by pub/sub, checked by a poll in case the message is lost)
 * and reads the page it stored. A waiter whose holder vanished without filling the page
 * takes the lease over. Whenever Redis fails, the replica fetches alone.
 */
class RedisSharedTier implements SharedTier {

	private static final Duration POLL = Duration.ofMillis(150);

	private static final Duration RECENT = Duration.ofSeconds(1);

	private final SharedPageStore store;

	private final Leases leases;

	private final FleetChannels channels;

	private final RedisBreaker breaker;

	private final ScheduledExecutorService scheduler;

	private final Duration renewEvery;

	private final Duration waitLimit;

	private final Counter hits;

	private final Counter misses;

	private final Counter errors;

	private final LeaseTracing tracing;

	private final ConcurrentMap<String, Set<Waiter>> waiters = new ConcurrentHashMap<>();

	private volatile @Nullable Changes changes;

	RedisSharedTier(SharedPageStore store, Leases leases, FleetChannels channels, RedisBreaker breaker,
			ScheduledExecutorService scheduler, Duration lease, Duration waitLimit, MeterRegistry meters,
			LeaseTracing tracing) {
		this.store = store;
		this.tracing = tracing;
		this.leases = leases;
		this.channels = channels;
		this.breaker = breaker;
		this.scheduler = scheduler;
		this.renewEvery = lease.dividedBy(3);
		this.waitLimit = waitLimit;
		this.hits = counter(meters, "hit", "Local misses answered from Redis");
		this.misses = counter(meters, "miss", "Local misses that Redis could not answer either");
		this.errors = counter(meters, "error", "Local misses for which Redis failed or was not asked");
	}

	@Override
	public CompletableFuture<@Nullable CachedPage> get(PageKey key) {
		String hash = key.digest();
		try {
			CachedPage page = this.breaker.call(() -> this.store.read(hash));
			((page != null) ? this.hits : this.misses).increment();
			return CompletableFuture.completedFuture(page);
		}
		catch (SharedTierUnavailable ex) {
			this.errors.increment();
			return CompletableFuture.completedFuture(null);
		}
	}

	@Override
	public CompletableFuture<Loaded> load(PageKey key, Supplier<CompletableFuture<CachedPage>> upstream) {
		String hash = key.digest();
		String token = this.tracing.token();
		// a page stored since shortly before this load is its answer (the caller's local
		// and shared misses came a moment earlier): Redis tells when that is, on its
		// clock
		String holder;
		long storedSince;
		@Nullable CachedPage filled = null;
		try {
			Leases.Answer answer = this.breaker.call(() -> this.leases.acquireOrWatch(hash, token, "", null, RECENT));
			holder = answer.holder();
			storedSince = answer.storedSince();
			if (holder.equals(Leases.FILLED)) {
				filled = this.breaker.call(() -> this.store.read(hash));
				// gone again (purged): wait for, or become, the next holder
				holder = "";
			}
		}
		catch (SharedTierUnavailable ex) {
			return alone(upstream);
		}
		if (filled != null) {
			return CompletableFuture.completedFuture(new Loaded(filled, true));
		}
		if (holder.equals(token)) {
			return lead(key, hash, token, upstream);
		}
		return new Waiter(key, hash, token, holder, storedSince, upstream).start();
	}

	@Override
	public void invalidate(Invalidation invalidation) {
		this.breaker.quietly(() -> this.store.invalidate(invalidation));
		this.breaker.quietly(() -> this.channels.invalidated(invalidation));
	}

	@Override
	public void purge() {
		this.breaker.quietly(this.store::purge);
		this.breaker.quietly(this.channels::purged);
	}

	@Override
	public void listen(Changes changes) {
		this.changes = changes;
	}

	/**
	 * Applies to this replica what another replica invalidated.
	 * @param invalidation what it touched
	 */
	void invalidatedElsewhere(Invalidation invalidation) {
		Changes listener = this.changes;
		if (listener != null) {
			listener.invalidated(invalidation);
		}
	}

	/**
	 * Applies to this replica that another replica purged the cache.
	 */
	void purgedElsewhere() {
		Changes listener = this.changes;
		if (listener != null) {
			listener.purged();
		}
	}

	/**
	 * Makes the waiters for a page look again at once: its lease was released.
	 * @param hash the page's hash
	 */
	void released(String hash) {
		Set<Waiter> waiting = this.waiters.get(hash);
		if (waiting != null) {
			waiting.forEach((waiter) -> this.scheduler.execute(waiter::poll));
		}
	}

	private CompletableFuture<Loaded> lead(PageKey key, String hash, String token,
			Supplier<CompletableFuture<CachedPage>> upstream) {
		long every = this.renewEvery.toMillis();
		ScheduledFuture<?> renewal = this.scheduler.scheduleWithFixedDelay(
				() -> this.breaker.quietly(() -> this.leases.renew(hash, token)), every, every, TimeUnit.MILLISECONDS);
		// Redis is written from the scheduler, never from the thread that completed the
		// upstream call (an event loop)
		return fetch(upstream).handleAsync((page, error) -> {
			renewal.cancel(false);
			if (error == null) {
				this.breaker.quietly(() -> this.store.put(key, page, token));
			}
			this.breaker.quietly(() -> this.leases.release(hash, token));
			this.breaker.quietly(() -> this.channels.leaseReleased(hash));
			if (error != null) {
				throw (error instanceof CompletionException completion) ? completion : new CompletionException(error);
			}
			return new Loaded(page, false);
		}, this.scheduler);
	}

	private static CompletableFuture<Loaded> alone(Supplier<CompletableFuture<CachedPage>> upstream) {
		return fetch(upstream).thenApply((page) -> new Loaded(page, false));
	}

	private static CompletableFuture<CachedPage> fetch(Supplier<CompletableFuture<CachedPage>> upstream) {
		try {
			return upstream.get();
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	private static Counter counter(MeterRegistry meters, String result, String description) {
		return Counter.builder("chatproxy.cache.shared")
			.description(description)
			.tag("result", result)
			.register(meters);
	}

	/**
	 * A load waiting for the replica that holds the page's lease.
	 */
	private final class Waiter {

		private final PageKey key;

		private final String hash;

		private final String token;

		private final Supplier<CompletableFuture<CachedPage>> upstream;

		private final long deadlineNanos;

		private final long storedSince;

		private final CompletableFuture<Loaded> result = new CompletableFuture<>();

		private String awaited;

		private boolean handedOver;

		private final AtomicReference<@Nullable Span> span = new AtomicReference<>();

		Waiter(PageKey key, String hash, String token, String awaited, long storedSince,
				Supplier<CompletableFuture<CachedPage>> upstream) {
			this.key = key;
			this.storedSince = storedSince;
			this.hash = hash;
			this.token = token;
			this.awaited = awaited;
			this.upstream = upstream;
			this.deadlineNanos = System.nanoTime() + RedisSharedTier.this.waitLimit.toNanos();
		}

		CompletableFuture<Loaded> start() {
			this.span.set(RedisSharedTier.this.tracing.waiting(this.awaited));
			RedisSharedTier.this.waiters.computeIfAbsent(this.hash, (hash) -> ConcurrentHashMap.newKeySet()).add(this);
			ScheduledFuture<?> polling = RedisSharedTier.this.scheduler.scheduleWithFixedDelay(this::poll,
					POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
			this.result.whenComplete((loaded, error) -> {
				waited((error != null) ? "error" : "filled");
				polling.cancel(false);
				RedisSharedTier.this.waiters.computeIfPresent(this.hash, (hash, waiting) -> {
					waiting.remove(this);
					return waiting.isEmpty() ? null : waiting;
				});
			});
			return this.result;
		}

		synchronized void poll() {
			if (this.handedOver || this.result.isDone()) {
				return;
			}
			if (System.nanoTime() - this.deadlineNanos > 0) {
				waited("timeout");
				this.result.completeExceptionally(new SharedFetchTimeout());
				return;
			}
			try {
				String answer = RedisSharedTier.this.breaker
					.call(() -> RedisSharedTier.this.leases.acquireOrWatch(this.hash, this.token, this.awaited,
							this.storedSince, RECENT))
					.holder();
				if (answer.equals(Leases.FILLED)) {
					filled();
				}
				else if (answer.equals(this.token)) {
					waited("taken-over");
					handOver(lead(this.key, this.hash, this.token, this.upstream));
				}
				else {
					this.awaited = answer;
				}
			}
			catch (SharedTierUnavailable ex) {
				waited("alone");
				handOver(alone(this.upstream));
			}
		}

		private void filled() {
			CachedPage page = RedisSharedTier.this.breaker.call(() -> RedisSharedTier.this.store.read(this.hash));
			if (page != null) {
				this.result.complete(new Loaded(page, true));
			}
			else {
				// stored and gone already (purged): wait for, or become, the next holder
				this.awaited = "";
			}
		}

		/** Ends the wait's span, once, with how the wait ended. */
		private void waited(String result) {
			LeaseTracing.waited(this.span.getAndSet(null), result);
		}

		private void handOver(CompletableFuture<Loaded> load) {
			this.handedOver = true;
			load.whenComplete((loaded, error) -> {
				if (error != null) {
					this.result.completeExceptionally((error instanceof CompletionException && error.getCause() != null)
							? error.getCause() : error);
				}
				else {
					this.result.complete(loaded);
				}
			});
		}

	}

}
