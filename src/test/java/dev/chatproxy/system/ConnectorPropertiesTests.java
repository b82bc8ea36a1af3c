package dev.chatproxy.system;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Map;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@code proxy.connector.socket-write-buffer} reaches a real Tomcat's connector, and a
 * body several buffers long still arrives whole; sizes outside 1 KB to 1 MB are refused.
 */
class ConnectorPropertiesTests {

	@Test
	void theBufferSizeReachesTheConnectorAndLargeBodiesArriveWhole() throws Exception {
		byte[] body = new byte[300 * 1024 + 7];
		Arrays.fill(body, (byte) 'x');
		body[body.length - 1] = 'y';
		TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory(0);
		factory.setAddress(InetAddress.getLoopbackAddress());
		new TomcatConfiguration().socketWriteBuffer(new ConnectorProperties(DataSize.ofKilobytes(64)))
			.customize(factory);
		TomcatWebServer server = (TomcatWebServer) factory
			.getWebServer((context) -> context.addServlet("body", new HttpServlet() {
				@Override
				protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
					response.setContentLength(body.length);
					response.getOutputStream().write(body);
				}
			}).addMapping("/body"));
		server.start();
		HttpClient client = HttpClient.newHttpClient();
		try {
			assertThat(server.getTomcat().getConnector().getProperty("socket.appWriteBufSize")).hasToString("65536");
			HttpResponse<byte[]> response = client.send(
					HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + "/body")).build(),
					HttpResponse.BodyHandlers.ofByteArray());
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.body()).isEqualTo(body);
		}
		finally {
			server.stop();
		}
	}

	@Test
	void thirtyTwoKilobytesUnlessSet() {
		assertThat(bind(Map.of()).socketWriteBuffer().toBytes()).isEqualTo(32768);
		assertThat(bind(Map.of("proxy.connector.socket-write-buffer", "64KB")).socketWriteBuffer().toBytes())
			.isEqualTo(65536);
	}

	private static ConnectorProperties bind(Map<String, String> properties) {
		return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("proxy.connector",
				ConnectorProperties.class);
	}

	@Test
	void sizesOutsideOneKilobyteToOneMegabyteAreRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> new ConnectorProperties(DataSize.ofBytes(1023)))
			.withMessageContaining("proxy.connector.socket-write-buffer");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new ConnectorProperties(DataSize.ofBytes(1024 * 1024 + 1)));
		assertThat(new ConnectorProperties(DataSize.ofKilobytes(1)).socketWriteBuffer())
			.isEqualTo(DataSize.ofKilobytes(1));
		assertThat(new ConnectorProperties(DataSize.ofMegabytes(1)).socketWriteBuffer())
			.isEqualTo(DataSize.ofMegabytes(1));
	}

}
