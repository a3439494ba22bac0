package surge.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static surge.support.ErrorShape.assertError;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import surge.support.Client;
import surge.support.WithNode;
import surge.support.TestNode;

/** How the API reads the Authorization header and which tokens it refuses. */
class AuthIT extends WithNode {
  static WebClient web;
  static JWTAuth nodeKey;
  static JWTAuth otherKey;

  @BeforeAll
  static void webClientAndKeys(Vertx vertx) {
    web = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(node.port()));
    nodeKey = hs256(vertx, TestNode.JWT_SECRET);
    otherKey = hs256(vertx, "some-other-secret-some-other-secret-0123456789");
  }

  @AfterAll
  static void closeWebClient() {
    web.close();
  }

  @Test
  void tokenSchemeIsAccepted() {
    JsonObject user = client.register("tok");
    HttpResponse<Buffer> r = getUser("Token " + user.getString("token"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(user.getString("username"), r.bodyAsJsonObject().getJsonObject("user").getString("username"));
  }

  @Test
  void bearerSchemeIsAccepted() {
    JsonObject user = client.register("bearer");
    HttpResponse<Buffer> r = getUser("Bearer " + user.getString("token"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(user.getString("username"), r.bodyAsJsonObject().getJsonObject("user").getString("username"));
  }

  @Test
  void missingAuthorizationIs401() {
    assertError(getUser(null), 401, "token");
  }

  @Test
  void authorizationWithoutTokenOrWithOtherSchemeIs401() {
    JsonObject user = client.register("scheme");
    assertError(getUser("Token"), 401, "token");
    assertError(getUser("Token "), 401, "token");
    assertError(getUser("Bearer"), 401, "token");
    assertError(getUser(user.getString("token")), 401, "token");
    assertError(getUser("Basic " + Base64.getEncoder().encodeToString("a:b".getBytes(StandardCharsets.UTF_8))), 401, "token");
  }

  @Test
  void garbageTokensAre401() {
    assertError(getUser("Token garbage"), 401, "token");
    assertError(getUser("Token a.b.c"), 401, "token");
    assertError(getUser("Token ..."), 401, "token");
    assertError(getUser("Token " + "x".repeat(4000)), 401, "token");
    assertError(getUser("Bearer eyJhbGciOiJIUzI1NiJ9.%%%.@@@"), 401, "token");
  }

  @Test
  void mintedTokenWithNodeSecretIsAccepted() {
    // Control for the refusal tests below: a token minted here the same way, with a valid
    // signature, issuer and expiry, is accepted; so each refusal is due to its one defect.
    JsonObject user = client.register("minted");
    String token = nodeKey.generateToken(claims(user).put("exp", nowSeconds() + 3600), signing());
    HttpResponse<Buffer> r = getUser("Token " + token);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(user.getString("username"), r.bodyAsJsonObject().getJsonObject("user").getString("username"));
  }

  @Test
  void expiredTokenIs401() {
    JsonObject user = client.register("expired");
    String token = nodeKey.generateToken(claims(user).put("exp", nowSeconds() - 3600), signing());
    assertError(getUser("Token " + token), 401, "token");
  }

  @Test
  void tokenSignedWithAnotherKeyIs401() {
    JsonObject user = client.register("forged");
    String token = otherKey.generateToken(claims(user).put("exp", nowSeconds() + 3600), signing());
    assertError(getUser("Token " + token), 401, "token");
  }

  @Test
  void tokenWithTamperedPayloadIs401() {
    JsonObject victim = client.register("victim");
    JsonObject attacker = client.register("attacker");
    String[] parts = attacker.getString("token").split("\\.");
    JsonObject payload = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    payload.put("sub", subjectOf(victim.getString("token")));
    String tampered = parts[0] + "." + b64(payload.encode()) + "." + parts[2];
    assertError(getUser("Token " + tampered), 401, "token");
  }

  @Test
  void algNoneTokenIs401() {
    JsonObject user = client.register("algnone");
    String payload = b64(claims(user).put("exp", nowSeconds() + 3600).put("iat", nowSeconds()).encode());
    assertError(getUser("Token " + b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + payload + "."), 401, "token");
    assertError(getUser("Token " + b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + payload), 401, "token");
    assertError(getUser("Token " + b64("{\"alg\":\"NONE\",\"typ\":\"JWT\"}") + "." + payload + "."), 401, "token");
  }

  @Test
  void tokenFromAnotherIssuerIs401() {
    JsonObject user = client.register("issuer");
    String token = nodeKey.generateToken(claims(user).put("exp", nowSeconds() + 3600),
        new JWTOptions().setAlgorithm("HS256").setIssuer("not-surge"));
    assertError(getUser("Token " + token), 401, "token");
  }

  @Test
  void validlySignedTokenForUnknownUserIs401OnEveryProtectedRoute() {
    // e.g. a deleted account: the signature checks out, the user does not exist. User ids are
    // large time-based numbers, so 1 names nobody.
    JsonObject target = client.register("target");
    String token = nodeKey.generateToken(new JsonObject().put("sub", "1").put("exp", nowSeconds() + 3600), signing());
    assertError(getUser("Token " + token), 401, "token");
    assertError(client.put("/api/user", token, new JsonObject().put("user", new JsonObject().put("bio", "x"))), 401, "token");
    assertError(client.post("/api/profiles/" + target.getString("username") + "/follow", token, null), 401, "token");
  }

  @Test
  void tokenWithNonNumericSubjectIs401() {
    String token = nodeKey.generateToken(new JsonObject().put("sub", "admin").put("exp", nowSeconds() + 3600), signing());
    assertError(getUser("Token " + token), 401, "token");
  }

  @Test
  void invalidTokenOnOptionalAuthRouteIs401() {
    JsonObject user = client.register("optional");
    String profile = "/api/profiles/" + user.getString("username");
    assertEquals(200, client.get(profile).statusCode(), "anonymous access must stay allowed");
    assertError(client.get(profile, "garbage"), 401, "token");
    String expired = nodeKey.generateToken(claims(user).put("exp", nowSeconds() - 3600), signing());
    assertError(client.get(profile, expired), 401, "token");
  }

  @Test
  void missingTokenIsCheckedBeforeTheProfileExists() {
    String unknown = "/api/profiles/" + Client.unique("ghost") + "/follow";
    assertError(client.post(unknown, null, null), 401, "token");
    assertError(client.delete(unknown, null), 401, "token");
    assertError(client.post(unknown, "garbage", null), 401, "token");
  }

  @Test
  void invalidTokenIsCheckedBeforeTheProfileExistsOnOptionalRoute() {
    assertError(client.get("/api/profiles/" + Client.unique("ghost"), "garbage"), 401, "token");
  }

  @Test
  void tokenFromLoginAndRegistrationBothWork() {
    JsonObject user = client.register("both");
    String fromLogin = client.post("/api/users/login", null, new JsonObject().put("user", new JsonObject()
        .put("email", user.getString("email")).put("password", user.getString("password"))))
        .bodyAsJsonObject().getJsonObject("user").getString("token");
    assertEquals(200, client.get("/api/user", fromLogin).statusCode());
    assertEquals(200, client.get("/api/user", user.getString("token")).statusCode());
  }

  // ---------------------------------------------------------------- helpers

  private static HttpResponse<Buffer> getUser(String authorization) {
    HttpRequest<Buffer> request = web.get("/api/user");
    if (authorization != null) request.putHeader("Authorization", authorization);
    return request.send().await();
  }

  private static JWTAuth hs256(Vertx vertx, String secret) {
    return JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
  }

  private static JWTOptions signing() {
    return new JWTOptions().setAlgorithm("HS256").setIssuer("surge").setAudience(java.util.List.of("surge-api"));
  }

  /** The claims of a token for {@code user}, with the subject the server put in its own token. */
  private static JsonObject claims(JsonObject user) {
    return new JsonObject().put("sub", subjectOf(user.getString("token")));
  }

  private static String subjectOf(String token) {
    String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
    String sub = new JsonObject(payload).getString("sub");
    assertNotNull(sub, payload);
    return sub;
  }

  private static long nowSeconds() {
    return System.currentTimeMillis() / 1000;
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
