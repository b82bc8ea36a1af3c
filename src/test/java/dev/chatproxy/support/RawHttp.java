package dev.chatproxy.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Sends a request line exactly as written (no client-side normalisation or encoding) and
 * reads the whole answer: for inputs that {@code java.net.URI} would refuse or rewrite.
 */
public final class RawHttp {

	private RawHttp() {
	}

	/**
	 * Sends {@code GET target HTTP/1.1} to the port on 127.0.0.1.
	 * @param port the port
	 * @param target the request target, sent byte for byte
	 * @return the status line, headers and body
	 */
	public static String get(int port, String target) {
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
			socket.setSoTimeout(30_000);
			socket.getOutputStream()
				.write(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
					.getBytes(StandardCharsets.ISO_8859_1));
			return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
