package surge.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Client;
import surge.support.Eventually;
import surge.support.TestNode;

/**
 * Which signing keys and claims the node accepts: the audience and expiry are required, {@code nbf} is honoured, a
 * previous secret still verifies after a rotation, and an external issuer's RS256 tokens verify against the JWK set
 * file (re-read while running) — only for issuers the node was told to trust.
 */
@ExtendWith(VertxExtension.class)
class TokenKeysIT {
  static final String PREVIOUS = "previous-secret-previous-secret-0123456789";
  static final String EXTERNAL = "https://id.example.com/";
  static TestNode.Started node;
  static Client client;
  static Path jwks;
  static KeyPair first;
  static KeyPair second;
  static JsonObject user;
  /** The key of the JWK set file as last written (a test rotates it). */
  static KeyPair published;
  static String publishedKid;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    first = rsa();
    second = rsa();
    jwks = Files.createTempFile("surge-jwks", ".json");
    writeJwks(first, "k1");
    node = TestNode.start(vertx, Map.of("auth.jwtPreviousSecrets", PREVIOUS, "auth.jwksFile", jwks.toString(),
        "auth.jwksReloadMs", "1000", "auth.externalIssuers", EXTERNAL));
    client = new Client(vertx, node.port());
    user = client.register("keys");
  }

  @AfterAll
  static void stop() throws IOException {
    if (node != null) node.stop();
    Files.deleteIfExists(jwks);
  }

  @Test
  void issuedTokensNameTheirKeyAndAudience() {
    JsonObject header = part(user.getString("token"), 0);
    JsonObject claims = part(user.getString("token"), 1);
    assertEquals(Tokens.keyId(TestNode.JWT_SECRET), header.getString("kid"));
    assertEquals("HS256", header.getString("alg"));
    assertEquals("surge-api", claims.getString("aud"));
    assertEquals("surge", claims.getString("iss"));
    assertEquals(claims.getLong("iat") + 86400, claims.getLong("exp"));
  }

  @Test
  void audienceAndExpiryAreRequiredAndNotBeforeIsHonoured(Vertx vertx) {
    JWTAuth current = hs(vertx, TestNode.JWT_SECRET);
    assertEquals(200, status(current.generateToken(claims().put("exp", now() + 600), options("surge", "surge-api"))));
    assertEquals(401, status(current.generateToken(claims().put("exp", now() + 600), options("surge", "other-api"))));
    assertEquals(401, status(current.generateToken(claims().put("exp", now() + 600), options("surge", null))));
    assertEquals(401, status(current.generateToken(claims(), options("surge", "surge-api"))), "no exp");
    assertEquals(401, status(current.generateToken(claims().put("exp", now() + 600).put("nbf", now() + 300),
        options("surge", "surge-api"))), "not valid yet");
  }

  @Test
  void aPreviousSecretStillVerifiesAndAnUnknownOneDoesNot(Vertx vertx) {
    String claimsExp = "exp";
    assertEquals(200, status(hs(vertx, PREVIOUS).generateToken(claims().put(claimsExp, now() + 600),
        options("surge", "surge-api"))));
    assertEquals(401, status(hs(vertx, "unknown-secret-unknown-secret-0123456789").generateToken(
        claims().put(claimsExp, now() + 600), options("surge", "surge-api"))));
  }

  @Test
  void externalIssuerTokensVerifyAgainstTheJwkSetFileWhichIsReread(Vertx vertx) throws Exception {
    String byFirst = rs(vertx, first, "k1").generateToken(claims().put("exp", now() + 600), rsOptions(EXTERNAL));
    assertEquals(200, status(byFirst));
    String untrustedIssuer = rs(vertx, first, "k1").generateToken(claims().put("exp", now() + 600),
        rsOptions("https://evil.example.com/"));
    assertEquals(401, status(untrustedIssuer), "signed by a known key, but from an issuer not trusted");
    String bySecond = rs(vertx, second, "k2").generateToken(claims().put("exp", now() + 600), rsOptions(EXTERNAL));
    assertEquals(401, status(bySecond), "key not published yet");

    writeJwks(second, "k2"); // the provider rotated its key
    Eventually.value("the new key picked up", Duration.ofSeconds(10), Duration.ofMillis(200), () -> status(bySecond),
        status -> status == 200);
    assertEquals(401, status(byFirst), "the retired key no longer verifies");
  }

  @Test
  void anExternalKeyCannotSignInSurgesOwnName(Vertx vertx) {
    JWTAuth external = rs(vertx, published, publishedKid);
    String inSurgesName = external.generateToken(claims().put("exp", now() + 600), rsOptions("surge"));
    assertEquals(401, status(inSurgesName), "iss = auth.issuer, but signed by the external issuer's key");
    assertEquals(200, status(external.generateToken(claims().put("exp", now() + 600), rsOptions(EXTERNAL))),
        "the same key in its own issuer's name");
  }

  @Test
  void byDefaultAnExternalTokenNamesItsUserBySubAndItsEmailPlaysNoPart(Vertx vertx) {
    JsonObject other = client.register("keysother");
    JWTAuth issuer = rs(vertx, published, publishedKid);
    String bySub = issuer.generateToken(claims().put("exp", now() + 600).put("email", other.getString("email"))
        .put("email_verified", true), rsOptions(EXTERNAL));
    var me = client.get("/api/user", bySub);
    assertEquals(200, me.statusCode(), me.bodyAsString());
    assertEquals(user.getString("username"), me.bodyAsJsonObject().getJsonObject("user").getString("username"),
        "auth.externalUserClaim=sub (default): sub is the Surge user id");
    String byEmail = issuer.generateToken(new JsonObject().put("sub", "provider-subject-1").put("exp", now() + 600)
        .put("email", user.getString("email")).put("email_verified", true), rsOptions(EXTERNAL));
    assertEquals(401, status(byEmail), "a verified e-mail does not name a user unless the node is told so");
  }

  private static int status(String token) {
    return client.get("/api/user", token).statusCode();
  }

  private static JsonObject claims() {
    return new JsonObject().put("sub", part(user.getString("token"), 1).getString("sub"));
  }

  private static JsonObject part(String token, int i) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[i])));
  }

  private static long now() {
    return System.currentTimeMillis() / 1000;
  }

  private static JWTOptions options(String issuer, String audience) {
    JWTOptions o = new JWTOptions().setAlgorithm("HS256").setIssuer(issuer);
    return audience == null ? o : o.setAudience(List.of(audience));
  }

  private static JWTOptions rsOptions(String issuer) {
    return new JWTOptions().setAlgorithm("RS256").setIssuer(issuer).setAudience(List.of("surge-api"));
  }

  private static JWTAuth hs(Vertx vertx, String secret) {
    return JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
  }

  private static JWTAuth rs(Vertx vertx, KeyPair pair, String kid) {
    String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    return JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256")
        .setBuffer(pem).setId(kid)));
  }

  private static KeyPair rsa() throws NoSuchAlgorithmException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  /** A JWK set holding only this key's public half, as an OIDC provider publishes it. */
  private static void writeJwks(KeyPair pair, String kid) throws IOException {
    RSAPublicKey key = (RSAPublicKey) pair.getPublic();
    Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
    JsonObject jwk = new JsonObject().put("kty", "RSA").put("kid", kid).put("alg", "RS256").put("use", "sig")
        .put("n", url.encodeToString(unsigned(key.getModulus().toByteArray())))
        .put("e", url.encodeToString(unsigned(key.getPublicExponent().toByteArray())));
    Path tmp = Files.createTempFile(jwks.getParent(), "jwks", ".tmp");
    Files.writeString(tmp, new JsonObject().put("keys", new JsonArray().add(jwk)).encode());
    Files.move(tmp, jwks, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    published = pair;
    publishedKid = kid;
  }

  private static byte[] unsigned(byte[] bytes) {
    return bytes.length > 1 && bytes[0] == 0 ? java.util.Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
  }
}
