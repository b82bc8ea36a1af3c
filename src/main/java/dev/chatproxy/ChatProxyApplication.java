package dev.chatproxy;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Caching backend-for-frontend that lists an attendee's 1:1 chats from postpress.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ChatProxyApplication {

	public static void main(String[] args) {
		SpringApplication.run(ChatProxyApplication.class, args);
	}

}
