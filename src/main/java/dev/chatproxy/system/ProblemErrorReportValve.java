package dev.chatproxy.system;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import tools.jackson.core.JacksonException;

import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;

/**
 * Tomcat's last-resort error report (what the connector rejects before any servlet, such
 * as a malformed request line), in the error envelope of {@link ProblemType} rather than
 * HTML.
 */
class ProblemErrorReportValve extends ErrorReportValve {

	private final Problems problems;

	ProblemErrorReportValve(Problems problems) {
		this.problems = problems;
	}

	@Override
	protected void report(Request request, Response response, Throwable throwable) {
		int status = response.getStatus();
		if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
			return;
		}
		try {
			String body = this.problems.json(request, ProblemType.forStatus(status), HttpStatusCode.valueOf(status),
					null);
			response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
			response.setCharacterEncoding(StandardCharsets.UTF_8.name());
			Writer writer = response.getReporter();
			if (writer != null) {
				writer.write(body);
				response.finishResponse();
			}
		}
		catch (IOException | IllegalStateException | JacksonException ex) {
			// the connection is gone or the response already committed: nothing left to
			// tell
		}
	}

}
