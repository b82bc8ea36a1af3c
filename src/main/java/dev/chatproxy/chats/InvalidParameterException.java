package dev.chatproxy.chats;

/**
 * A request parameter broke a rule of CONTRACT.md section 1; the message names it.
 */
public class InvalidParameterException extends RuntimeException {

	private final String parameter;

	InvalidParameterException(String parameter, String message) {
		super(message, null, false, false);
		this.parameter = parameter;
	}

	/**
	 * Name of the offending parameter, as the caller spelled it.
	 * @return the parameter name
	 */
	public String parameter() {
		return this.parameter;
	}

}
