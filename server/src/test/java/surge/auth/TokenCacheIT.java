package surge.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
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
 * One verification per token on a real node: the rate limiter's check and authentication share it, returning
 * requests are answered from the cache, and a cached token still stops working at its expiry.
 */
@ExtendWith(VertxExtension.class)
class TokenCacheIT {
  static TestNode.Started node;
  static Client client;

  @BeforeAll
  static void start(Vertx vertx) {
    node = TestNode.start(vertx, Map.of("events.relay", "false"));
    client = new Client(vertx, node.port());
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
  }

  static JsonObject counters() {
    return node.node().services().tokens().verifiedTokensStatus();
  }

  @Test
  void aReturningTokenIsVerifiedOnceNotPerRequest() {
    String token = client.register("tc").getString("token");
    JsonObject before = counters();
    for (int i = 0; i < 20; i++) assertEquals(200, client.get("/api/user", token).statusCode());
    JsonObject after = counters();
    long misses = after.getLong("misses") - before.getLong("misses");
    long hits = after.getLong("hits") - before.getLong("hits");
    assertTrue(misses <= 1, "verified at most once: " + misses + " misses");
    // one lookup per request, shared by the rate limiter and authentication (AuthHandler.verification)
    assertEquals(20, hits + misses, "token lookups for 20 requests: " + hits + " hits, " + misses + " misses");
  }

  @Test
  void aCachedTokenStopsAtItsExpiry(Vertx vertx) {
    String token = client.register("tx").getString("token");
    String sub = new JsonObject(new String(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]))).getString("sub");
    JWTAuth signer = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(TestNode.JWT_SECRET)));
    long exp = System.currentTimeMillis() / 1000 + 2;
    String shortLived = signer.generateToken(new JsonObject().put("sub", sub).put("exp", exp),
        new JWTOptions().setAlgorithm("HS256").setIssuer("surge").setAudience(List.of("surge-api")));
    assertEquals(200, client.get("/api/user", shortLived).statusCode());
    assertEquals(200, client.get("/api/user", shortLived).statusCode(), "from the cache");
    // past exp and the verifier's 5 s leeway: the cache must not have kept it longer than the token allows
    Eventually.until("the token expired", Duration.ofSeconds(15), () -> System.currentTimeMillis() / 1000 > exp + 6);
    assertEquals(401, client.get("/api/user", shortLived).statusCode());
  }
}
