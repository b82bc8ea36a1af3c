package dev.chatproxy.support;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

/**
 * Holds the fake postpress' answers until the test releases them, so that tests about
 * concurrency and deadlines assert order ("every caller was waiting before postpress
 * answered") rather than guess at milliseconds on a loaded machine. Only stubs that name
 * it ({@code .withTransformers(UpstreamGate.NAME)}) are held.
 */
public final class UpstreamGate implements ResponseDefinitionTransformerV2 {

	/** The transformer name a stub gives to be held. */
	public static final String NAME = "upstream-gate";

	/**
	 * A held request is let go after this, so that a broken test cannot hang the build.
	 */
	private static final long MAX_HOLD_SECONDS = 60;

	private volatile CountDownLatch open = new CountDownLatch(0);

	private final AtomicInteger arrived = new AtomicInteger();

	UpstreamGate() {
	}

	/** Holds every request to a gated stub from now on, until {@link #release()}. */
	public void close() {
		this.arrived.set(0);
		this.open = new CountDownLatch(1);
	}

	/** Lets the held requests, and all later ones, be answered. */
	public void release() {
		this.open.countDown();
	}

	/**
	 * Number of requests that reached a gated stub since {@link #close()}.
	 * @return the count, held or released
	 */
	public int arrived() {
		return this.arrived.get();
	}

	@Override
	public ResponseDefinition transform(ServeEvent serveEvent) {
		CountDownLatch latch = this.open;
		this.arrived.incrementAndGet();
		try {
			latch.await(MAX_HOLD_SECONDS, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		return serveEvent.getResponseDefinition();
	}

	@Override
	public boolean applyGlobally() {
		return false;
	}

	@Override
	public String getName() {
		return NAME;
	}

}
