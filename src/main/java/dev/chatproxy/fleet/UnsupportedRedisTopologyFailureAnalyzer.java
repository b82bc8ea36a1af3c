package dev.chatproxy.fleet;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a Redis set-up that fleet mode cannot use into a start-up failure that says why,
 * rather than a replica that starts and then shares nothing.
 */
class UnsupportedRedisTopologyFailureAnalyzer extends AbstractFailureAnalyzer<UnsupportedRedisTopologyException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, UnsupportedRedisTopologyException cause) {
		return new FailureAnalysis(cause.getMessage(), cause.action(), cause);
	}

}
