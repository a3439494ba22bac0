package surge.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Client;
import surge.support.ErrorShape;
import surge.support.Eventually;
import surge.support.TestNode;

/**
 * One node, small quotas, real Redis. Each test is its own client IP through the trusted proxy header
 * (a fresh value per run), so reruns and other tests never share a bucket.
 */
@ExtendWith(VertxExtension.class)
class RateLimitIT {
  static TestNode.Started node;
  static WebClient web;
  static Client client;

  @BeforeAll
  static void start(Vertx vertx) {
    node = TestNode.start(vertx, Map.of(
        "ratelimit.trustedProxyHeader", "X-Forwarded-For",
        "ratelimit.reads", "10/60",   // one token per 6 s: the burst is exact whatever the test's pace
        "ratelimit.writes", "10/2",   // one token per 200 ms: refill is measurable
        "ratelimit.auth", "6/60",
        "ratelimit.login", "3/300"));
    web = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(node.port()));
    client = new Client(vertx, node.port());
    node.node().services().limiter().ready().await();
  }

  @AfterAll
  static void stop() {
    node.stop();
  }

  static String ip() {
    return "t-" + UUID.randomUUID();
  }

  static HttpResponse<Buffer> send(HttpMethod method, String path, String ip, String token, JsonObject body) {
    HttpRequest<Buffer> r = web.request(method, path).putHeader("X-Forwarded-For", "198.51.100.7, " + ip);
    if (token != null) r.putHeader("Authorization", "Token " + token);
    return body == null ? r.send().await() : r.sendJsonObject(body).await();
  }

  @Test
  void exactBurstThen429WithHeadersAndJsonBody() {
    String ip = ip();
    for (int i = 0; i < 10; i++) {
      HttpResponse<Buffer> r = send(HttpMethod.GET, "/api/tags", ip, null, null);
      assertEquals(200, r.statusCode(), "request #" + i + " " + r.bodyAsString());
      assertEquals("\"reads\";q=10;w=60", r.getHeader("RateLimit-Policy"));
      assertEquals("\"reads\";r=" + (9 - i) + ";t=6", r.getHeader("RateLimit"), "request #" + i);
      assertNull(r.getHeader("RateLimit-Limit"), "not the older trio");
    }
    HttpResponse<Buffer> r = send(HttpMethod.GET, "/api/tags", ip, null, null);
    assertEquals(429, r.statusCode(), r.bodyAsString());
    assertEquals("\"reads\";q=10;w=60", r.getHeader("RateLimit-Policy"));
    int retry = Integer.parseInt(r.getHeader("Retry-After"));
    assertTrue(retry >= 1 && retry <= 6, "Retry-After " + retry + " (one token per 6 s)");
    assertEquals("\"reads\";r=0;t=" + retry, r.getHeader("RateLimit"));
    assertEquals("limit exceeded, retry in " + retry + " s",
        ErrorShape.assertError(r, 429, "rate").getJsonArray("rate").getString(0));
    // the /api/v1 alias shares the bucket
    assertEquals(429, send(HttpMethod.GET, "/api/v1/tags", ip, null, null).statusCode());
    // another principal is unaffected
    assertEquals(200, send(HttpMethod.GET, "/api/tags", ip(), null, null).statusCode());
  }

  @Test
  void v1RequestsTakeOneTokenNotTwo() {
    String ip = ip();
    HttpResponse<Buffer> r = send(HttpMethod.GET, "/api/v1/tags", ip, null, null);
    assertEquals(200, r.statusCode());
    assertEquals("\"reads\";r=9;t=6", r.getHeader("RateLimit"));
  }

  /**
   * writes = 10 per 2 s (5 tokens/s). Burst: 10, plus at most what refills while it is sent. Then 1 s later:
   * 5 tokens, tolerance 4..6 (timer and scheduling jitter of up to ±200 ms).
   */
  @Test
  void refillsAtTheConfiguredRate() throws InterruptedException {
    String ip = ip();
    long start = System.nanoTime();
    int burst = drain(HttpMethod.POST, "/api/articles", ip, 40);
    double burstSeconds = (System.nanoTime() - start) / 1e9;
    assertTrue(burst >= 10 && burst <= 10 + Math.ceil(burstSeconds * 5), "burst " + burst + " in " + burstSeconds + " s");
    Eventually.pause(1000); // the refill over this second is what is measured
    int refilled = drain(HttpMethod.POST, "/api/articles", ip, 40);
    assertTrue(refilled >= 4 && refilled <= 6, "after 1 s at 5/s: " + refilled);
  }

  /** Sends until the first 429; returns how many were let through (here: 401, no token). */
  static int drain(HttpMethod method, String path, String ip, int max) {
    for (int i = 0; i < max; i++) {
      HttpResponse<Buffer> r = send(method, path, ip, null, new JsonObject());
      if (r.statusCode() == 429) return i;
      assertEquals(401, r.statusCode(), r.bodyAsString());
    }
    throw new AssertionError("no 429 after " + max);
  }

  @Test
  void signedInUsersAreLimitedByUserNotByAddress() {
    String token = client.register("rl").getString("token");
    String ip = ip();
    for (int i = 0; i < 10; i++) {
      assertEquals(200, send(HttpMethod.GET, "/api/user", i % 2 == 0 ? ip : ip(), token, null).statusCode());
    }
    assertEquals(429, send(HttpMethod.GET, "/api/user", ip(), token, null).statusCode(), "same user, new address");
    assertEquals(200, send(HttpMethod.GET, "/api/tags", ip, null, null).statusCode(), "the address itself is not spent");
    // an invalid token is limited by address; its 401 comes from the auth handler
    HttpResponse<Buffer> bad = send(HttpMethod.GET, "/api/user", ip, "not-a-token", null);
    assertEquals(401, bad.statusCode());
    assertNotEquals(null, bad.getHeader("RateLimit"));
  }

  @Test
  void loginIsLimitedPerAccountFromAnyAddress() {
    String email = Client.unique("victim") + "@example.com";
    JsonObject attempt = new JsonObject().put("user", new JsonObject().put("email", email).put("password", "wrong-password"));
    for (int i = 0; i < 3; i++) {
      HttpResponse<Buffer> r = send(HttpMethod.POST, "/api/users/login", ip(), null, attempt);
      assertEquals(401, r.statusCode(), r.bodyAsString());
      assertEquals("\"auth\";q=6;w=60, \"login\";q=3;w=300", r.getHeader("RateLimit-Policy"));
    }
    HttpResponse<Buffer> r = send(HttpMethod.POST, "/api/users/login", ip(), null,
        new JsonObject().put("user", new JsonObject().put("email", email.toUpperCase()).put("password", "x")));
    assertEquals(429, r.statusCode(), "4th attempt on the account from a 4th address: " + r.bodyAsString());
    assertTrue(r.getHeader("RateLimit").endsWith("\"login\";r=0;t=" + r.getHeader("Retry-After")), r.getHeader("RateLimit"));
  }

  @Test
  void signUpAndLoginAreLimitedPerAddress() {
    String ip = ip();
    for (int i = 0; i < 6; i++) {
      JsonObject body = new JsonObject().put("user", new JsonObject().put("email", Client.unique("a") + "@example.com")
          .put("password", "wrong-password"));
      HttpResponse<Buffer> r = i == 5 ? send(HttpMethod.POST, "/api/users", ip, null, new JsonObject())
          : send(HttpMethod.POST, "/api/users/login", ip, null, body);
      assertTrue(r.statusCode() == 401 || r.statusCode() == 422, r.statusCode() + " " + r.bodyAsString());
    }
    HttpResponse<Buffer> r = send(HttpMethod.POST, "/api/users/login", ip, null, new JsonObject());
    assertEquals(429, r.statusCode(), r.bodyAsString());
    assertEquals("\"auth\";q=6;w=60", r.getHeader("RateLimit-Policy"));
  }

  @Test
  void malformedLoginBodiesStillGetTheirValidationAnswer() {
    String ip = ip();
    HttpResponse<Buffer> r = web.request(HttpMethod.POST, "/api/users/login").putHeader("X-Forwarded-For", ip)
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{not json")).await();
    assertEquals(400, r.statusCode(), r.bodyAsString());
    r = send(HttpMethod.POST, "/api/users/login", ip, null, new JsonObject().put("user", new JsonObject().put("email", 42)));
    assertEquals(422, r.statusCode(), r.bodyAsString());
  }

  @Test
  void operatorEndpointCountsDecisions() {
    send(HttpMethod.GET, "/api/tags", ip(), null, null);
    HttpResponse<Buffer> r = web.get("/health/ratelimit").send().await();
    assertEquals(200, r.statusCode());
    JsonObject counters = r.bodyAsJsonObject().getJsonObject("counters");
    for (String c : new String[] {"allowed", "rejected", "redisCalls", "localDecisions", "fallbacks"}) {
      assertTrue(counters.containsKey(c), c + " in " + counters);
    }
    assertTrue(counters.getLong("allowed") > 0);
    assertEquals("available", r.bodyAsJsonObject().getString("redis"));
  }
}
