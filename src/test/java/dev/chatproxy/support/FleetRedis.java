package dev.chatproxy.support;

import java.util.List;

/**
 * A Redis set-up a test fleet runs on: what to tell Spring Boot, and what the test reads
 * and empties.
 */
public interface FleetRedis {

	/**
	 * Spring Boot's standard settings that point a replica at this Redis.
	 * @return {@code name=value} properties
	 */
	List<String> springProperties();

	/**
	 * Every key, on every primary.
	 * @return the keys
	 */
	List<String> keys();

	/**
	 * Empties every primary.
	 */
	void flushAll();

	/**
	 * Runs a command about one key on the primary that holds it.
	 * @param command the command and its arguments, the key first among them
	 * @return the reply as text
	 */
	String command(String... command);

}
