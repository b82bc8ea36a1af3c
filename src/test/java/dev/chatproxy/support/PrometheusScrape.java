package dev.chatproxy.support;

import java.net.http.HttpResponse;
import java.util.stream.DoubleStream;
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
		return samples(name, labels).sum();
	}

	/**
	 * Whether the scrape has a sample of the series with all the given labels.
	 * @param name the series, such as {@code cache_gets_total}
	 * @param labels labels such as {@code result="hit"}
	 * @return whether there is one
	 */
	public boolean has(String name, String... labels) {
		return samples(name, labels).findAny().isPresent();
	}

	private DoubleStream samples(String name, String... labels) {
		return Stream.of(this.text.split("\n"))
			.filter((line) -> line.startsWith(name + "{") && Stream.of(labels).allMatch(line::contains))
			.mapToDouble((line) -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
	}

}
