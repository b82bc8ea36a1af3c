package dev.chatproxy.callers;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

import dev.chatproxy.upstream.ChatsQuery;
import org.jspecify.annotations.Nullable;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.stereotype.Component;

/**
 * Limits a query to the accounts the caller's token grants: a request for other accounts
 * is refused, a request for no particular account is narrowed to the caller's own. With
 * bearer JWTs off there is no token, and every query passes unchanged.
 */
@Component
public class AccountScope {

	private final String accountsClaim;

	AccountScope(CallersProperties properties) {
		this.accountsClaim = properties.accountsClaim();
	}

	/**
	 * Returns the query the current caller may make.
	 * @param query the validated query
	 * @return the query itself, or one narrowed to the caller's accounts
	 * @throws InsufficientPermissions (403) when the caller may not read what it asks for
	 */
	public ChatsQuery narrow(ChatsQuery query) {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		if (!(authentication instanceof JwtAuthenticationToken token)) {
			return query;
		}
		List<String> granted = granted(token);
		if (granted.isEmpty()) {
			throw new InsufficientPermissions(
					"The token grants no account: its '" + this.accountsClaim + "' claim is missing or empty.");
		}
		if (query.accountIds().isEmpty()) {
			return new ChatsQuery(query.attendeeIds(), query.cursor(), query.before(), query.after(), query.limit(),
					granted);
		}
		if (!granted.containsAll(query.accountIds())) {
			throw new InsufficientPermissions("'account_id' names an account that the token does not grant.");
		}
		return query;
	}

	/**
	 * Whether the current caller is authenticated by a token, and so scoped to its
	 * accounts.
	 * @return {@code true} with bearer JWTs on
	 */
	public boolean isScoped() {
		return SecurityContextHolder.getContext().getAuthentication() instanceof JwtAuthenticationToken;
	}

	/**
	 * When the current caller's token expires, which ends what it opened for longer.
	 * @return the expiry, or {@code null} without a token or when it has none
	 */
	public @Nullable Instant tokenExpiry() {
		return (SecurityContextHolder.getContext().getAuthentication() instanceof JwtAuthenticationToken token)
				? token.getToken().getExpiresAt() : null;
	}

	private List<String> granted(JwtAuthenticationToken token) {
		Object claim = token.getToken().getClaims().get(this.accountsClaim);
		List<String> accounts;
		if (claim instanceof Collection<?> values) {
			accounts = values.stream().filter(String.class::isInstance).map(String.class::cast).toList();
		}
		else if (claim instanceof String account) {
			// a single account is sometimes issued as a plain string rather than a list
			accounts = List.of(account);
		}
		else {
			return List.of();
		}
		// canonical as the query's ids are, so that they compare as equal
		return ChatsQuery.canonicalIds(accounts).stream().filter((account) -> !account.isEmpty()).toList();
	}

}
