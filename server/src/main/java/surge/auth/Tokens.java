package surge.auth;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.NoSuchKeyIdException;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import surge.config.ConfigTree;
import surge.core.ApiError;

/**
 * Issues and checks the API's JWTs.
 *
 * <p>Issued tokens: HS256 with the current secret, its key id in {@code kid}, {@code iss}, {@code aud}, {@code iat}
 * and {@code exp}; the subject is the user id, so a username or email change keeps tokens valid.
 *
 * <p>Accepted tokens: signed by the current secret, by one of {@code auth.jwtPreviousSecrets} (rotation: a new
 * secret signs, the old one still verifies until its tokens expired), or by a key of the JWK set of
 * {@code auth.jwksFile} or {@code auth.jwksUrl} (an external OAuth2/OIDC issuer's public keys, or rotated keys; see
 * {@link KeySource}); {@code iss} must be {@code auth.issuer} or one of {@code auth.externalIssuers}, {@code aud} must
 * include {@code auth.audience}, {@code exp} must be present and not past, {@code nbf} not in the future (5 s leeway).
 * Algorithms are pinned by the keys: a token may only use the algorithm of the key that verifies it, so
 * {@code alg:none} and RS/HS confusion are refused. A token naming a key the node lacks makes the key source look
 * for a newer set once (rate-limited), then is checked again.
 *
 * <p>Who a token speaks for: the user id in {@code sub} for Surge's own issuer, whatever the settings; for an external
 * issuer, what {@code auth.externalUserClaim} says (see {@link ExternalUsers}). {@link #verify} is the one place that
 * decides it, for authentication and rate limiting alike.
 */
public final class Tokens {
  private static final Logger log = LoggerFactory.getLogger(Tokens.class);
  private static final int LEEWAY_SECONDS = 5;

  private final Vertx vertx;
  private final AuthConfig config;
  private final JWTAuth signer;
  private final JWTOptions signing;
  private final List<PubSecKeyOptions> secrets = new ArrayList<>();
  private final KeySource keySource;
  private final ExternalUsers externalUsers;
  private volatile JWTAuth verifier;
  /** Swapped keys may no longer verify a token seen before: {@link #verified} is dropped with every swap. */
  private final VerifiedTokens verified = new VerifiedTokens();

  /** {@code accounts}: where external tokens matched by e-mail find their user. */
  public Tokens(Vertx vertx, AuthConfig config, AccountLookup accounts) {
    this.vertx = vertx;
    this.config = config;
    String secret = config.jwtSecret();
    if (secret.isBlank()) {
      secret = randomSecret();
      log.warn("auth.jwtSecret is not set: using a random key for this process (dev profile only); "
          + "tokens will not survive a restart or work on other nodes. Set {}.", ConfigTree.envName("auth.jwtSecret"));
    }
    PubSecKeyOptions current = hs256(secret);
    secrets.add(current);
    for (String previous : config.jwtPreviousSecrets()) secrets.add(hs256(previous));
    this.signer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(current));
    this.signing = new JWTOptions().setAlgorithm("HS256").setIssuer(config.issuer())
        .setAudience(List.of(config.audience())).setExpiresInSeconds((int) (config.tokenTtlMs() / 1000));
    this.verifier = verifier(List.of());
    this.keySource = KeySource.of(vertx, config, keys -> {
      verifier = verifier(keys);
      verified.clear();
    });
    this.externalUsers = new ExternalUsers(config, accounts);
  }

  /**
   * Starts keeping the external key set fresh. Completes once its first load was tried: a node whose first fetch
   * failed still starts, serving its own tokens and refusing external ones until a fetch succeeds.
   */
  public Future<Void> open() {
    return keySource == null ? Future.succeededFuture() : keySource.open();
  }

  public Future<Void> close() {
    return keySource == null ? Future.succeededFuture() : keySource.close();
  }

  /** The operator view of the external key set ({@code GET /health/auth}). */
  public JsonObject keySetStatus() {
    return (keySource == null ? KeySetStatus.NONE : keySource.status()).toJson();
  }

  public String issue(long userId) {
    return signer.generateToken(new JsonObject().put("sub", Long.toString(userId)), signing);
  }

  /**
   * The id of the user the token speaks for. Fails with a 401 {@link ApiError} for a forged, expired, foreign or
   * malformed token ({@code token: is invalid}) and for an external token that names no Surge account; fails with the
   * lookup's own cause when that account could not be looked up (the error path makes it a 503).
   */
  public Future<Long> verify(String token) {
    Long known = verified.userOf(token);
    if (known != null) return Future.succeededFuture(known);
    return verifier.authenticate(new TokenCredentials(token))
        .recover(err -> afterLookingForKey(token, err))
        .map(user -> new Checked(trustedClaims(token, user), ((Number) user.attributes().getValue("exp")).longValue()))
        .transform(checked -> checked.failed() ? Future.failedFuture(ApiError.invalidToken())
            : userOf(checked.result().claims()).onSuccess(id -> remember(token, id, checked.result())));
  }

  /** A token's trusted claims and its {@code exp} (seconds), which Vert.x keeps apart from the other claims. */
  private record Checked(JsonObject claims, long expSeconds) {}

  private void remember(String token, long userId, Checked checked) {
    boolean external = !config.issuer().equals(checked.claims().getString("iss"));
    verified.remember(token, userId, checked.expSeconds() * 1000, System.currentTimeMillis(), external);
  }

  /** Verified-token cache counters: hits, misses (for the operator view and tests). */
  public JsonObject verifiedTokensStatus() {
    return new JsonObject().put("hits", verified.hits()).put("misses", verified.misses());
  }

  private Future<Long> userOf(JsonObject claims) {
    return config.issuer().equals(claims.getString("iss")) ? subject(claims) : externalUsers.userId(claims);
  }

  /** The user id in {@code sub}, as Surge issues it; 401 when it is missing or not a number. */
  static Future<Long> subject(JsonObject claims) {
    String sub = claims.getString("sub");
    try {
      return Future.succeededFuture(Long.parseLong(sub));
    } catch (NumberFormatException e) { // also a missing sub
      return Future.failedFuture(ApiError.invalidToken());
    }
  }

  /** A token naming a key we lack may be signed by a key the issuer just published: look once, then check again. */
  private Future<User> afterLookingForKey(String token, Throwable err) {
    if (!(err instanceof NoSuchKeyIdException) || keySource == null) return Future.failedFuture(err);
    return onCallersContext(keySource.unknownKey())
        .compose(looked -> looked ? verifier.authenticate(new TokenCredentials(token)) : Future.failedFuture(err));
  }

  /** The request's handlers must go on on its own event loop, not on the one the key source answered from. */
  private static <T> Future<T> onCallersContext(Future<T> future) {
    Context caller = Vertx.currentContext();
    if (caller == null) return future;
    Promise<T> promise = Promise.promise();
    future.onComplete(result -> caller.runOnContext(v -> promise.handle(result)));
    return promise.future();
  }

  /**
   * The claims of a token that expires and comes from an issuer this node trusts. A token in Surge's own name must
   * also be signed by one of Surge's own keys: the verifier holds the external keys too, and without this check an
   * external issuer's key could sign a token with {@code iss} = {@code auth.issuer} and any user id in {@code sub}.
   */
  private JsonObject trustedClaims(String token, User user) {
    JsonObject claims = user.principal(); // every claim but exp, iat and nbf, which Vert.x keeps in the attributes
    if (!user.attributes().containsKey("exp")) throw new IllegalArgumentException("token has no expiry");
    String issuer = claims.getString("iss");
    if (config.issuer().equals(issuer)) {
      // without an external key set the verifier holds Surge's secrets only: no header to read on this hot path
      if (keySource != null && !signedByOwnKey(header(token))) throw new IllegalArgumentException("own issuer, foreign key");
    } else if (!config.externalIssuers().contains(issuer)) {
      throw new IllegalArgumentException("token from an issuer this node does not trust");
    }
    return claims;
  }

  /**
   * HS256, and a kid (when named, as Surge names it) of {@code auth.jwtSecret} / {@code auth.jwtPreviousSecrets}. An
   * unnamed HS256 key can only be one of those or a symmetric key an operator put in the JWK set file (a fetched set
   * never keeps one), so an external issuer's published keys can never sign in Surge's name.
   */
  private boolean signedByOwnKey(JsonObject header) {
    if (!"HS256".equals(header.getString("alg"))) return false;
    String kid = header.getString("kid");
    return kid == null || secrets.stream().anyMatch(key -> kid.equals(key.getId()));
  }

  /** The token's JOSE header; it verified already, so it is well-formed. */
  static JsonObject header(String token) {
    int dot = token.indexOf('.');
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.substring(0, dot)), StandardCharsets.UTF_8));
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
