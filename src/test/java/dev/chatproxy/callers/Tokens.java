package dev.chatproxy.callers;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.function.Consumer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * An issuer for tests: an RSA key made here, its public half as a JWKS document, and
 * tokens signed with it (or with another key, to be refused).
 */
final class Tokens {

	static final String ISSUER = "https://issuer.example.test";

	static final String AUDIENCE = "chat-proxy";

	private final RSAKey key = generate("key-1");

	private final RSAKey strangerKey = generate("key-1");

	/**
	 * The JWKS document the proxy fetches: the public key only.
	 * @return the JSON
	 */
	String jwks() {
		return new JWKSet(this.key.toPublicJWK()).toString();
	}

	/**
	 * A token the proxy accepts: right key, issuer and audience, valid now, for the given
	 * accounts.
	 * @param accounts the accounts granted
	 * @return the compact JWT
	 */
	String valid(String... accounts) {
		return sign(this.key, (claims) -> claims.claim("postpress_accounts", List.of(accounts)));
	}

	/**
	 * A token built from valid claims and then changed.
	 * @param change what to change in the claims
	 * @return the compact JWT
	 */
	String with(Consumer<JWTClaimsSet.Builder> change) {
		return sign(this.key, (claims) -> {
			claims.claim("postpress_accounts", List.of("acc_1"));
			change.accept(claims);
		});
	}

	/**
	 * A token with valid claims, signed by a key the proxy does not know under the same
	 * key id.
	 * @return the compact JWT
	 */
	String signedByStranger() {
		return sign(this.strangerKey, (claims) -> claims.claim("postpress_accounts", List.of("acc_1")));
	}

	private static String sign(RSAKey key, Consumer<JWTClaimsSet.Builder> claims) {
		Instant now = Instant.now();
		JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder().issuer(ISSUER)
			.subject("frontend-user-42")
			.audience(AUDIENCE)
			.issueTime(Date.from(now))
			.notBeforeTime(Date.from(now.minusSeconds(5)))
			.expirationTime(Date.from(now.plusSeconds(300)));
		claims.accept(builder);
		SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
				builder.build());
		try {
			jwt.sign(new RSASSASigner(key));
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
		return jwt.serialize();
	}

	private static RSAKey generate(String keyId) {
		try {
			return new RSAKeyGenerator(2048).keyID(keyId).generate();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
