package dev.chatproxy.system;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

/**
 * Tomcat's last-resort error report, in the error envelope rather than HTML.
 */
class ProblemErrorReportValve extends ErrorReportValve {

	@Override
	protected void report(Request request, Response response, Throwable throwable) {
		int status = response.getStatus();
		if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
			return;
		}
		boolean clientError = status < 500;
		String body = "{\"type\":\"" + (clientError ? "errors/invalid_parameters" : "errors/unexpected_error")
				+ "\",\"title\":\"" + (clientError ? "Invalid request" : "Unexpected error") + "\",\"status\":" + status
				+ ",\"detail\":\""
				+ (clientError ? "The request could not be parsed." : "Something went wrong in chat-proxy.")
				+ "\",\"instance\":\"" + UUID.randomUUID() + "\"}";
		try {
			response.setContentType("application/problem+json");
			response.setCharacterEncoding(StandardCharsets.UTF_8.name());
			Writer writer = response.getReporter();
			if (writer != null) {
				writer.write(body);
				response.finishResponse();
			}
		}
		catch (IOException | IllegalStateException ex) {
			// the connection is gone: nothing left to tell
		}
	}

}
