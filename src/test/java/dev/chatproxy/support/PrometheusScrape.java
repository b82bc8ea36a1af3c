package dev.chatproxy.support;

import java.net.http.HttpResponse;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One scrape of {@code /actuator/prometheus}, read the way an operator's query would:
 * tests compare two scrapes, so that what earlier tests counted does not matter.
 *
 * @param text the scrape
 */
public record PrometheusScrape(String text) {

	/**
	 * Scrapes the application.
	 * @param management a client on the management port
	 * @return the scrape
	 */
	public static PrometheusScrape of(ProxyClient management) {
		HttpResponse<String> response = management.get("/actuator/prometheus", "Accept", "text/plain");
		assertThat(response.statusCode()).isEqualTo(200);
		return new PrometheusScrape(response.body());
	}

	/**
	 * Sums the samples of a series whose labels include all the given ones; 0 when there
	 * is none yet.
	 * @param name the series, such as {@code cache_gets_total}
	 * @param labels labels such as {@code result="hit"}
	 * @return the sum
	 */
	public double sum(String name, String... labels) {
		double sum = 0;
		for (String line : this.text.split("\n")) {
			if (line.startsWith(name + "{") && Stream.of(labels).allMatch(line::contains)) {
				sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
			}
		}
		return sum;
	}

}
