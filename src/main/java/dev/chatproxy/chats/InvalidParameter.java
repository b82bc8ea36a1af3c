package dev.chatproxy.chats;

import dev.chatproxy.system.ProblemType;

import org.springframework.web.ErrorResponseException;

/**
 * A request parameter broke a rule of CONTRACT.md section 1: a 400
 * {@code errors/invalid_parameters} whose detail names it.
 */
public class InvalidParameter extends ErrorResponseException {

	private final String parameter;

	InvalidParameter(String parameter, String detail) {
		super(ProblemType.INVALID_PARAMETERS.status(), ProblemType.INVALID_PARAMETERS.problem(detail), null);
		this.parameter = parameter;
	}

	/**
	 * Name of the offending parameter, as the caller spelled it.
	 * @return the parameter name
	 */
	public String parameter() {
		return this.parameter;
	}

	/**
	 * Hostile input is common and expected here: a stack trace would cost and say
	 * nothing.
	 */
	@Override
	public synchronized Throwable fillInStackTrace() {
		return this;
	}

}
