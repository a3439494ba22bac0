package surge.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.redis.RedisConfig;
import surge.support.TestNode;

/** Policy parsing, header items, the local bucket's maths, proxy-header parsing, and lease sizing against Redis. */
@ExtendWith(VertxExtension.class)
class TokenBucketIT {
  private static final long MS = 1_000_000L;

  @Test
  void policiesParseQuotaSlashWindow() {
    Policy p = Policy.valueOf(" 100/60 ").named("writes");
    assertEquals(new Policy("writes", 100, 60), p);
    assertEquals(100 / 60_000.0, p.perMs(), 1e-12);
    assertEquals(600.0, p.msPerToken(), 1e-9);
    for (String bad : new String[] {"", "100", "0/60", "10/0", "-1/5", "a/b", "1/2/3", "10/60s"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Policy.valueOf(bad), bad);
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
  }

  @Test
  void nodeShareKeepsTheWindowAndNeverDropsBelowOne() {
    assertEquals(new Policy("r", 50, 60), new Policy("r", 100, 60).share(2));
    assertEquals(new Policy("r", 33, 60), new Policy("r", 100, 60).share(3));
    assertEquals(new Policy("r", 1, 60), new Policy("r", 1, 60).share(4));
    assertEquals(new Policy("r", 100, 60), new Policy("r", 100, 60).share(1));
  }

  @Test
  void headerItemsAreStructuredFieldsOfDraft11() {
    Policy p = new Policy("writes", 100, 60);
    assertEquals("\"writes\";q=100;w=60", p.policyItem());
    assertEquals("\"writes\";r=37;t=1", Decision.allow(p, 37).item()); // one token per 0.6 s
    assertEquals("\"writes\";r=100;t=0", Decision.allow(p, 250).item()); // full: clamped, nothing pending
    Decision no = Decision.reject(p, 11_200);
    assertFalse(no.allowed());
    assertEquals("\"writes\";r=0;t=12", no.item());
    assertEquals(12, no.retryAfterSeconds());
    assertEquals(1, Decision.reject(p, 0).retryAfterSeconds(), "Retry-After is at least 1");
  }

  @Test
  void localBucketAllowsTheBurstThenRefillsAtTheRate() {
    LocalBucket b = new LocalBucket(new Policy("r", 10, 2), 0); // 5 tokens/s, one per 200 ms
    for (int i = 0; i < 10; i++) assertTrue(b.tryTake(0), "burst #" + i);
    assertFalse(b.tryTake(0));
    assertEquals(200, b.msUntilToken(0));
    assertFalse(b.tryTake(199 * MS));
    assertTrue(b.tryTake(200 * MS));
    assertFalse(b.tryTake(200 * MS));
    assertEquals(0, b.remaining(200 * MS));
    assertEquals(5, b.remaining(1200 * MS));
    assertEquals(10, b.remaining(60_000 * MS), "capped at the quota");
  }

  @Test
  void clientIpIsTheRightMostHopOfTheTrustedHeader() {
    assertEquals("203.0.113.9", RateLimitHandler.rightMost("198.51.100.1, 203.0.113.9"));
    assertEquals("203.0.113.9", RateLimitHandler.rightMost("spoofed, 203.0.113.9 , "));
    assertEquals("10.0.0.1", RateLimitHandler.rightMost("10.0.0.1"));
    assertNull(RateLimitHandler.rightMost(" , "));
    assertNull(RateLimitHandler.rightMost(null));
  }

  @Test
  void routeGroupPathsIgnoreTheApiPrefix() {
    assertEquals("/users/login", RateLimitHandler.apiPath("/api/users/login"));
    assertEquals("/users/login", RateLimitHandler.apiPath("/api/users/login/"));
    assertEquals("/users", RateLimitHandler.apiPath("/api/users"));
    assertEquals("/articles", RateLimitHandler.apiPath("/api/articles/"));
  }

  /** Through real Redis: leases shrink as the bucket runs low, the burst is exact, and most decisions are local. */
  @Test
  void leasesShrinkAsTheBucketRunsLowAndTheBurstIsExact(Vertx vertx) {
    RateLimits config = new RateLimits(true, new Policy("reads", 100, 3600), new Policy("writes", 100, 3600),
        new Policy("auth", 10, 60), new Policy("login", 5, 300), "", 20, 2, 60_000, 2000);
    // as in production: built on a worker at start-up, used from event loops
    Limiter limiter = vertx.executeBlocking(() -> Limiter.create(vertx, TestNode.redis(500, 1), config))
        .await();
    limiter.ready().await();
    io.vertx.core.Context loop = vertx.getOrCreateContext();
    try {
      String principal = "unit-" + UUID.randomUUID();
      int allowed = 0;
      for (int i = 0; i < 130; i++) {
        Decision d = io.vertx.core.Future.<Decision>future(
            p -> loop.runOnContext(v -> limiter.acquire(config.reads(), principal).onComplete(p))).await();
        if (d.allowed()) allowed++;
      }
      JsonObject counters = limiter.status().getJsonObject("counters");
      long calls = counters.getLong("redisCalls");
      // 100 tokens, 2 nodes: leases 20, 20, 15 (45/4 → 11)... down to 1; refill is one token per 36 s
      assertEquals(100, allowed, "exactly the burst " + limiter.status());
      assertEquals(30, counters.getLong("rejected"));
      assertTrue(calls >= 8 && calls <= 25, "redis calls for 130 decisions: " + calls);
      assertEquals(0, counters.getLong("fallbacks"));
      System.out.printf("lease sizing: 130 decisions (100 allowed) with %d Redis calls%n", calls);
    } finally {
      limiter.close().await();
    }
  }
}
