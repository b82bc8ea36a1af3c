package dev.chatproxy.events;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.springframework.beans.factory.DisposableBean;

/**
 * The threads of live updates: one scheduler (relay, heartbeats, token expiries), and the
 * streams' writers, virtual where the JVM has them. Not beans of an executor type, which
 * would replace Spring Boot's task executor.
 * <p>
 * On Java 17, 16 platform writers: a write blocked on a client that reads nothing holds
 * one of them until Tomcat's write timeout (its connection timeout, 60 s unless
 * {@code server.tomcat.connection-timeout} says otherwise) fails it and ends that stream.
 * Were all 16 so held, the other streams' events wait in their bounded queues, and a
 * stream whose queue fills is dropped and counted; the fan-out itself never waits for a
 * writer.
 */
final class EventThreads implements DisposableBean {

	private static final int PLATFORM_WRITERS = 16;

	private final ScheduledThreadPoolExecutor scheduler;

	private final ExecutorService writers;

	EventThreads() {
		this.scheduler = new ScheduledThreadPoolExecutor(1, (task) -> daemon(task, "event-streams"));
		this.scheduler.setRemoveOnCancelPolicy(true);
		this.writers = newWriters();
	}

	ScheduledExecutorService scheduler() {
		return this.scheduler;
	}

	ExecutorService writers() {
		return this.writers;
	}

	private static ExecutorService newWriters() {
		try {
			// Java 21 API, looked up: the bytecode is Java 17's
			return (ExecutorService) MethodHandles.publicLookup()
				.findStatic(Executors.class, "newVirtualThreadPerTaskExecutor",
						MethodType.methodType(ExecutorService.class))
				.invoke();
		}
		catch (Throwable ex) {
			ThreadPoolExecutor writers = new ThreadPoolExecutor(PLATFORM_WRITERS, PLATFORM_WRITERS, 30,
					TimeUnit.SECONDS, new LinkedBlockingQueue<>(), (task) -> daemon(task, "event-writer"));
			writers.allowCoreThreadTimeOut(true);
			return writers;
		}
	}

	private static Thread daemon(Runnable task, String name) {
		Thread thread = new Thread(task, name);
		thread.setDaemon(true);
		return thread;
	}

	@Override
	public void destroy() {
		this.scheduler.shutdownNow();
		this.writers.shutdownNow();
	}

}
