package dev.chatproxy.bench.gateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The benchmark's Spring Cloud Gateway reference: one route to the stand-in with
 * LocalResponseCache (see application.yml); started by {@code bench/run.sh}.
 */
@SpringBootApplication
public class GatewayApplication {

	public static void main(String[] args) {
		SpringApplication.run(GatewayApplication.class, args);
	}

}
