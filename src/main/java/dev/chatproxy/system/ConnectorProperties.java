package dev.chatproxy.system;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * How Tomcat's connector buffers what it writes.
 *
 * @param socketWriteBuffer the size of each connection's socket write buffer: a body
 * larger than it goes to the network in that many bytes per write; every open connection
 * (an event stream included) holds one on the heap. 32 KB unless set (Tomcat's own
 * default is 8 KB: six writes for the default 100-item page of about 46 KB); between 1 KB
 * and 1 MB, checked when bound
 */
@ConfigurationProperties("proxy.connector")
public record ConnectorProperties(@DefaultValue("32KB") DataSize socketWriteBuffer) {

	/** The smallest buffer accepted. */
	static final DataSize MIN = DataSize.ofKilobytes(1);

	/** The largest buffer accepted. */
	static final DataSize MAX = DataSize.ofMegabytes(1);

	public ConnectorProperties {
		if (socketWriteBuffer.compareTo(MIN) < 0 || socketWriteBuffer.compareTo(MAX) > 0) {
			throw new IllegalArgumentException(
					"proxy.connector.socket-write-buffer must be between 1KB and 1MB, not " + socketWriteBuffer);
		}
	}

}
