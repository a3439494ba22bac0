package surge.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import surge.config.SurgeConfig;

/**
 * Issues and checks the API's JWTs.
 *
 * <p>Issued tokens: HS256 with the current secret, its key id in {@code kid}, {@code iss}, {@code aud}, {@code iat}
 * and {@code exp}; the subject is the user id, so a username or email change keeps tokens valid.
 *
 * <p>Accepted tokens: signed by the current secret, by one of {@code auth.jwtPreviousSecrets} (rotation: a new
 * secret signs, the old one still verifies until its tokens expired), or by a key of the JWK set in
 * {@code auth.jwksFile} (re-read every {@code auth.jwksReloadSeconds}; an external OAuth2/OIDC issuer's public keys,
 * or rotated keys); {@code iss} must be {@code auth.issuer} or one of {@code auth.externalIssuers}, {@code aud} must
 * include {@code auth.audience}, {@code exp} must be present and not past, {@code nbf} not in the future (5 s leeway).
 * Algorithms are pinned by the keys: a token may only use the algorithm of the key that verifies it, so
 * {@code alg:none} and RS/HS confusion are refused.
 */
public final class Tokens {
  private static final Logger log = LoggerFactory.getLogger(Tokens.class);
  private static final int LEEWAY_SECONDS = 5;

  private final Vertx vertx;
  private final SurgeConfig.Auth config;
  private final JWTAuth signer;
  private final JWTOptions signing;
  private final List<PubSecKeyOptions> secrets = new ArrayList<>();
  private volatile JWTAuth verifier;
  private volatile String jwksText = "";
  private long reloadTimer = -1;

  public Tokens(Vertx vertx, SurgeConfig.Auth config) {
    this.vertx = vertx;
    this.config = config;
    String secret = config.jwtSecret();
    if (secret.isBlank()) {
      secret = randomSecret();
      log.warn("auth.jwtSecret is not set: using a random key for this process (dev profile only); "
          + "tokens will not survive a restart or work on other nodes. Set SURGE_AUTH_JWT_SECRET.");
    }
    PubSecKeyOptions current = hs256(secret);
    secrets.add(current);
    for (String previous : config.jwtPreviousSecrets()) secrets.add(hs256(previous));
    this.signer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(current));
    this.signing = new JWTOptions().setAlgorithm("HS256").setIssuer(config.issuer())
        .setAudience(List.of(config.audience())).setExpiresInSeconds(config.tokenTtlSeconds());
    this.verifier = verifier(List.of());
    if (!config.jwksFile().isBlank()) loadJwks(); // at start-up (a worker thread): a bad file stops the node
  }

  /** Re-reads the JWK set file every {@code auth.jwksReloadSeconds} (off the event loop); keeps the last good set. */
  public void watchJwks() {
    if (config.jwksFile().isBlank() || reloadTimer >= 0) return;
    reloadTimer = vertx.setPeriodic(config.jwksReloadSeconds() * 1000L, id -> vertx.executeBlocking(() -> {
      loadJwks();
      return null;
    }).onFailure(err -> log.warn("auth.jwksFile {} not reloaded, keeping the previous keys: {}", config.jwksFile(),
        err.getMessage())));
  }

  public void close() {
    if (reloadTimer >= 0) vertx.cancelTimer(reloadTimer);
  }

  public String issue(long userId) {
    return signer.generateToken(new JsonObject().put("sub", Long.toString(userId)), signing);
  }

  /** The user id the token was issued to; fails for a forged, expired, foreign or malformed token. */
  public Future<Long> verify(String token) {
    return verifier.authenticate(new TokenCredentials(token)).map(this::subjectOf);
  }

  private Long subjectOf(User user) {
    JsonObject claims = user.principal(); // every claim but exp, iat and nbf, which Vert.x keeps in the attributes
    if (!user.attributes().containsKey("exp")) throw new IllegalArgumentException("token has no expiry");
    String issuer = claims.getString("iss");
    if (!config.issuer().equals(issuer) && !config.externalIssuers().contains(issuer)) {
      throw new IllegalArgumentException("token from an issuer this node does not trust");
    }
    String sub = claims.getString("sub");
    if (sub == null) throw new IllegalArgumentException("token has no subject");
    return Long.parseLong(sub);
  }

  private void loadJwks() {
    String text;
    try {
      text = Files.readString(Path.of(config.jwksFile()), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read auth.jwksFile " + config.jwksFile() + ": " + e.getMessage(), e);
    }
    if (text.equals(jwksText)) return;
    JsonArray keys = new JsonObject(text).getJsonArray("keys");
    if (keys == null) throw new IllegalStateException("auth.jwksFile " + config.jwksFile() + " has no \"keys\" array");
    List<JsonObject> jwks = new ArrayList<>();
    for (Object key : keys) jwks.add((JsonObject) key);
    verifier = verifier(jwks);
    jwksText = text;
    log.info("auth: {} key(s) from {} in use", jwks.size(), config.jwksFile());
  }

  private JWTAuth verifier(List<JsonObject> jwks) {
    JWTAuthOptions options = new JWTAuthOptions()
        .setJWTOptions(new JWTOptions().setLeeway(LEEWAY_SECONDS).setAudience(List.of(config.audience())))
        .setJwks(jwks);
    secrets.forEach(options::addPubSecKey);
    return JWTAuth.create(vertx, options);
  }

  /** An HS256 key whose id is derived from the secret, so tokens name the key that signed them. */
  static PubSecKeyOptions hs256(String secret) {
    return new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret).setId(keyId(secret));
  }

  static String keyId(String secret) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
      return "hs-" + HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String randomSecret() {
    byte[] key = new byte[48];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }
}
