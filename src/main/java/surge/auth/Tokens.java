package surge.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.security.SecureRandom;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import surge.config.SurgeConfig;

/**
 * Issues and checks the API's JWTs. HS256 only (the algorithm is pinned, so {@code alg:none} and
 * RS/HS confusion are refused); the subject is the user id, so a username or email change keeps
 * tokens valid.
 */
public final class Tokens {
  private static final Logger log = LoggerFactory.getLogger(Tokens.class);
  private final JWTAuth jwt;
  private final JWTOptions signing;

  public Tokens(Vertx vertx, SurgeConfig.Auth config) {
    String secret = config.jwtSecret();
    if (secret.isBlank()) {
      secret = randomSecret();
      log.warn("auth.jwtSecret is not set: using a random key for this process (dev profile only); "
          + "tokens will not survive a restart or work on other nodes. Set SURGE_AUTH_JWT_SECRET.");
    }
    JWTOptions verify = new JWTOptions().setIssuer(config.issuer()).setLeeway(5);
    this.jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret))
        .setJWTOptions(verify));
    this.signing = new JWTOptions().setAlgorithm("HS256").setIssuer(config.issuer())
        .setExpiresInSeconds(config.tokenTtlSeconds());
  }

  public String issue(long userId) {
    return jwt.generateToken(new JsonObject().put("sub", Long.toString(userId)), signing);
  }

  /** The user id the token was issued to; fails for a forged, expired or malformed token. */
  public Future<Long> verify(String token) {
    return jwt.authenticate(new TokenCredentials(token)).map(user -> {
      String sub = user.principal().getString("sub");
      if (sub == null) throw new IllegalArgumentException("token has no subject");
      return Long.parseLong(sub);
    });
  }

  private static String randomSecret() {
    byte[] key = new byte[48];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }
}
