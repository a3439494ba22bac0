package surge.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static surge.support.ErrorShape.assertError;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Client;
import surge.support.Eventually;
import surge.support.TestNode;

/**
 * {@code auth.externalUserClaim=email} on a real node and PostgreSQL: an external issuer's RS256 token (its key in a
 * JWK set file) speaks for the Surge account bearing its verified e-mail, whatever the case and whatever its
 * {@code sub}; an unverified e-mail or one without an account is 401 and creates nothing; Surge's own tokens keep the
 * user id in {@code sub}; and the limiter counts a mapped user's requests as that user's. Every request comes from a
 * fresh client IP (trusted proxy header), so only a user's own bucket can run out.
 */
@ExtendWith(VertxExtension.class)
class ExternalUserClaimIT {
  static final String ISSUER = "https://accounts.example.net/";
  static final int READS = 20;
  static KeyPair key;
  static Path jwks;
  static JWTAuth provider;
  static TestNode.Started node;
  static Client client;
  static WebClient web;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    key = generator.generateKeyPair();
    jwks = Files.createTempFile("surge-jwks-email", ".json");
    Files.writeString(jwks, jwks(key, "p1").encode());
    provider = signer(vertx, key, "p1");
    node = TestNode.start(vertx, Map.of("auth.jwksFile", jwks.toString(), "auth.externalIssuers", ISSUER,
        "auth.externalUserClaim", "email", "ratelimit.trustedProxyHeader", "X-Forwarded-For",
        "ratelimit.reads", READS + "/600"));
    client = new Client(vertx, node.port());
    web = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(node.port()));
  }

  @AfterAll
  static void stop() throws IOException {
    if (web != null) web.close();
    if (node != null) node.stop();
    Files.deleteIfExists(jwks);
  }

  @Test
  void aVerifiedEmailInAnotherCaseReadsAsItsUserWhoAuthorsWhatTheyPost() {
    JsonObject user = client.register("oidc");
    String token = external("provider-subject-" + UUID.randomUUID(), upperCase(user.getString("email")), true);

    HttpResponse<Buffer> me = send(HttpMethod.GET, "/api/user", token, null);
    assertEquals(200, me.statusCode(), me.bodyAsString());
    assertEquals(user.getString("username"), me.bodyAsJsonObject().getJsonObject("user").getString("username"));
    assertEquals(user.getString("email"), me.bodyAsJsonObject().getJsonObject("user").getString("email"));

    JsonObject article = new JsonObject().put("title", "Signed in elsewhere").put("description", "d").put("body", "b");
    HttpResponse<Buffer> created = send(HttpMethod.POST, "/api/articles", token, new JsonObject().put("article", article));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    JsonObject saved = created.bodyAsJsonObject().getJsonObject("article");
    assertEquals(user.getString("username"), saved.getJsonObject("author").getString("username"));
    JsonArray byAuthor = send(HttpMethod.GET, "/api/articles?author=" + user.getString("username"), null, null)
        .bodyAsJsonObject().getJsonArray("articles");
    assertEquals(saved.getString("slug"), byAuthor.getJsonObject(0).getString("slug"), "listed under its author");
  }

  @Test
  void anEmailItsIssuerDidNotMarkVerifiedIs401() {
    String email = client.register("unverified").getString("email");
    for (Object verified : new Object[] {null, false, "true"}) {
      HttpResponse<Buffer> r = send(HttpMethod.GET, "/api/user", external("s-1", email, verified), null);
      assertError(r, 401, "token");
      assertEquals(error("has no verified email"), r.bodyAsJsonObject(), "email_verified " + verified);
    }
  }

  @Test
  void theSubjectOfAnExternalTokenIsNotASurgeUserIdInEmailMode() {
    JsonObject user = client.register("subonly");
    String bySub = external(sub(user.getString("token")), null, null);
    assertEquals(401, send(HttpMethod.GET, "/api/user", bySub, null).statusCode(), "a Surge user id in sub is not enough");

    JsonObject other = client.register("other");
    String mixed = external(sub(user.getString("token")), other.getString("email"), true);
    HttpResponse<Buffer> me = send(HttpMethod.GET, "/api/user", mixed, null);
    assertEquals(other.getString("username"), me.bodyAsJsonObject().getJsonObject("user").getString("username"),
        "the e-mail decides, not sub");
  }

  @Test
  void anEmailWithoutAnAccountIs401AndCreatesNoneUntilTheUserSignsUp() {
    String name = Client.unique("nobody");
    String email = name + "@example.com";
    String token = external("s-2", email, true);
    HttpResponse<Buffer> r = send(HttpMethod.GET, "/api/user", token, null);
    assertError(r, 401, "token");
    assertEquals(error("no Surge account for this identity"), r.bodyAsJsonObject());

    JsonObject signUp = new JsonObject().put("username", name).put("email", email).put("password", "password-" + name);
    HttpResponse<Buffer> registered = client.post("/api/users", null, new JsonObject().put("user", signUp));
    assertEquals(201, registered.statusCode(), "no account was made for the token: " + registered.bodyAsString());
    // the refusal is remembered for a few seconds only
    Eventually.until("the new account matched", AccountCache.MISSING_TTL.multipliedBy(3),
        () -> send(HttpMethod.GET, "/api/user", token, null).statusCode() == 200);
  }

  @Test
  void surgesOwnTokensKeepTheUserIdInSub(Vertx vertx) {
    JsonObject user = client.register("own");
    assertEquals(200, send(HttpMethod.GET, "/api/user", user.getString("token"), null).statusCode());

    JsonObject other = client.register("ownother");
    JWTAuth surge = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(Tokens.hs256(TestNode.JWT_SECRET)));
    String own = surge.generateToken(new JsonObject().put("sub", sub(user.getString("token")))
            .put("email", other.getString("email")).put("email_verified", true),
        new JWTOptions().setAlgorithm("HS256").setIssuer("surge").setAudience(List.of("surge-api"))
            .setExpiresInSeconds(600));
    HttpResponse<Buffer> me = send(HttpMethod.GET, "/api/user", own, null);
    assertEquals(user.getString("username"), me.bodyAsJsonObject().getJsonObject("user").getString("username"),
        "Surge's issuer: sub, whatever e-mail the token carries");
  }

  @Test
  void aMappedUserIsRateLimitedAsThatUser() {
    JsonObject user = client.register("limited");
    String own = user.getString("token");
    String external = external("s-3", upperCase(user.getString("email")), true);
    for (int i = 0; i < READS; i++) {
      HttpResponse<Buffer> r = send(HttpMethod.GET, "/api/user", i % 2 == 0 ? own : external, null);
      assertEquals(200, r.statusCode(), "read #" + i + " " + r.bodyAsString());
    }
    assertEquals(429, send(HttpMethod.GET, "/api/user", own, null).statusCode(),
        "the external token's reads were counted in the user's bucket");
    assertEquals(429, send(HttpMethod.GET, "/api/user", external, null).statusCode());
  }

  /** From a fresh client IP each time, so no IP bucket fills up. */
  private static HttpResponse<Buffer> send(HttpMethod method, String path, String token, JsonObject body) {
    HttpRequest<Buffer> r = web.request(method, path).putHeader("X-Forwarded-For", "ip-" + UUID.randomUUID());
    if (token != null) r.putHeader("Authorization", "Bearer " + token);
    return body == null ? r.send().await() : r.sendJsonObject(body).await();
  }

  /** The provider's token: {@code email} and {@code email_verified} are left out when null. */
  private static String external(String sub, String email, Object emailVerified) {
    JsonObject claims = new JsonObject().put("sub", sub);
    if (email != null) claims.put("email", email);
    if (emailVerified != null) claims.put("email_verified", emailVerified);
    return provider.generateToken(claims, new JWTOptions().setAlgorithm("RS256").setIssuer(ISSUER)
        .setAudience(List.of("surge-api")).setExpiresInSeconds(600));
  }

  private static JsonObject error(String message) {
    return new JsonObject().put("errors", new JsonObject().put("token", new JsonArray().add(message)));
  }

  private static String upperCase(String email) {
    return email.toUpperCase(Locale.ROOT);
  }

  private static String sub(String token) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]))).getString("sub");
  }

  private static JWTAuth signer(Vertx vertx, KeyPair pair, String kid) {
    String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    return JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(
        new PubSecKeyOptions().setAlgorithm("RS256").setBuffer(pem).setId(kid)));
  }

  /** A JWK set holding the public half of one key, as the provider publishes it. */
  private static JsonObject jwks(KeyPair pair, String kid) {
    RSAPublicKey pub = (RSAPublicKey) pair.getPublic();
    Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
    JsonObject jwk = new JsonObject().put("kty", "RSA").put("kid", kid).put("alg", "RS256").put("use", "sig")
        .put("n", url.encodeToString(unsigned(pub.getModulus().toByteArray())))
        .put("e", url.encodeToString(unsigned(pub.getPublicExponent().toByteArray())));
    return new JsonObject().put("keys", new JsonArray().add(jwk));
  }

  private static byte[] unsigned(byte[] bytes) {
    return bytes.length > 1 && bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
  }
}
