package dev.chatproxy.system;

import org.apache.catalina.Container;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.Pipeline;
import org.apache.catalina.Valve;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.tomcat.util.buf.EncodedSolidusHandling;

import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Keeps requests that Tomcat itself rejects inside the error envelope: an encoded slash
 * in an id reaches validation instead of being refused, and what the connector still
 * refuses (a malformed request line) is answered in JSON instead of an HTML report; and
 * sizes the connector's socket write buffer.
 */
@Configuration(proxyBeanMethods = false)
class TomcatConfiguration {

	/**
	 * Sizes each connection's socket write buffer
	 * ({@code proxy.connector.socket-write-buffer}): Tomcat writes a body larger than it
	 * in several system calls.
	 * @param properties the buffer's size
	 * @return the customizer
	 */
	@Bean
	WebServerFactoryCustomizer<TomcatServletWebServerFactory> socketWriteBuffer(ConnectorProperties properties) {
		String bytes = Long.toString(properties.socketWriteBuffer().toBytes());
		return (factory) -> factory.addConnectorCustomizers((connector) -> {
			if (!connector.setProperty("socket.appWriteBufSize", bytes)) {
				throw new IllegalStateException("Tomcat's connector has no socket.appWriteBufSize");
			}
		});
	}

	@Bean
	WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemErrorReports(Problems problems) {
		return (factory) -> {
			factory.addConnectorCustomizers(
					(connector) -> connector.setEncodedSolidusHandling(EncodedSolidusHandling.PASS_THROUGH.getValue()));
			factory.addContextCustomizers((context) -> context.addLifecycleListener((event) -> {
				if (Lifecycle.BEFORE_START_EVENT.equals(event.getType())) {
					replaceErrorReportValve(context.getParent(), problems);
				}
			}));
		};
	}

	private static void replaceErrorReportValve(Container host, Problems problems) {
		Pipeline pipeline = host.getPipeline();
		for (Valve valve : pipeline.getValves()) {
			if (valve instanceof ErrorReportValve && !(valve instanceof ProblemErrorReportValve)) {
				pipeline.removeValve(valve);
				pipeline.addValve(new ProblemErrorReportValve(problems));
			}
		}
	}

}
