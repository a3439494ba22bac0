package surge.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Eventually;
import surge.support.TestNode;

/**
 * Redis stopped mid-test: requests keep succeeding (no 5xx, none slow), the node limits each principal at its
 * share ({@code quota / nodes}); Redis restarted (empty: the script and buckets are gone) → distributed
 * limiting resumes by itself.
 */
@Tag("stack")
@ExtendWith(VertxExtension.class)
class RedisDownLimitIT {
  static TestNode.Started node;
  static WebClient web;

  @BeforeAll
  static void start(Vertx vertx) {
    node = TestNode.start(vertx, Map.of("ratelimit.trustedProxyHeader", "X-Forwarded-For",
        "ratelimit.reads", "20/60", "ratelimit.nodes", "2", "ratelimit.breakerMs", "500", "redis.timeoutMs", "100"));
    web = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(node.port()));
    node.node().services().limiter().ready().await();
  }

  @AfterAll
  static void stop() {
    try {
      stack("start"); // whatever happened, leave Redis running
    } finally {
      node.stop();
    }
  }

  @Test
  void redisDownFallsBackToTheNodeShareAndRecovers() throws InterruptedException {
    assertEquals(20, admitted("up-" + UUID.randomUUID(), 25), "distributed: the whole quota");
    stack("stop");
    try {
      String principal = "down-" + UUID.randomUUID();
      int admitted = admitted(principal, 25);
      assertEquals(10, admitted, "per-node fallback: quota 20 / 2 nodes");
      JsonObject status = status();
      assertEquals("unavailable", status.getString("redis"), status.encode());
      assertTrue(status.getJsonObject("counters").getLong("fallbacks") >= 25, status.encode());
      // ordinary requests still answer
      HttpResponse<Buffer> tags = web.get("/api/tags").putHeader("X-Forwarded-For", "tags-" + UUID.randomUUID()).send().await();
      assertEquals(200, tags.statusCode(), tags.bodyAsString());
    } finally {
      stack("start");
    }
    Eventually.value("distributed limiting resumed after the restart (20 of 25 admitted)", Duration.ofSeconds(15),
        Duration.ofMillis(200), () -> admitted("back-" + UUID.randomUUID(), 25), admitted -> admitted == 20);
    assertEquals("available", status().getString("redis"));
  }

  /** Sends {@code n} reads as one principal; each must answer 404 (admitted) or 429 quickly. */
  static int admitted(String principal, int n) {
    int ok = 0;
    for (int i = 0; i < n; i++) {
      long start = System.nanoTime();
      HttpResponse<Buffer> r = web.get("/api/ratelimit-probe").putHeader("X-Forwarded-For", principal).send().await();
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(r.statusCode() == 404 || r.statusCode() == 429, r.statusCode() + " " + r.bodyAsString());
      assertTrue(ms < 1000, "request took " + ms + " ms");
      if (r.statusCode() == 404) ok++;
    }
    return ok;
  }

  static JsonObject status() {
    return web.get("/health/ratelimit").send().await().bodyAsJsonObject();
  }

  /** {@code bin/stack redis <action>}. */
  static void stack(String action) {
    surge.support.Stack.run("redis", action);
  }
}
