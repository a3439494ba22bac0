package surge.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.redis.RedisConfig;
import surge.support.TestNode;
import surge.support.Client;
import surge.support.Eventually;
import surge.support.Ports;

/** The cache on its own against the stack's Redis: coalescing, both levels, TTL, jitter, tombstones, breaker. */
@ExtendWith(VertxExtension.class)
class TwoLevelCacheIT {
  static final RedisConfig REDIS = TestNode.redis(200, 1);
  final List<CacheRedis> opened = new ArrayList<>();

  @AfterEach
  void close() {
    for (CacheRedis r : opened) r.close().await();
  }

  CacheRedis redis(Vertx vertx, RedisConfig config, long breakerMs) {
    CacheRedis r = new CacheRedis(vertx, config, "surge:cache:test:", breakerMs, m -> {}, () -> {});
    opened.add(r);
    return r;
  }

  CacheRedis live(Vertx vertx) {
    CacheRedis r = redis(vertx, REDIS, 1000);
    Eventually.until("cache Redis available", Duration.ofSeconds(5), Duration.ofMillis(20), r::available);
    return r;
  }

  /** Waits until L2 holds a value (not a tombstone) for each of {@code keys}: readers send L2 fills without awaiting them. */
  static void awaitL2(CacheRedis redis, String name, String... keys) {
    for (String key : keys) {
      Eventually.async("L2 filled for " + name + ":" + key, Duration.ofSeconds(5),
          () -> redis.send(Request.cmd(Command.GET).arg("surge:cache:test:" + name + ":" + key)).map(String::valueOf),
          value -> !value.equals("null") && !value.startsWith(TwoLevelCache.TOMBSTONE));
    }
  }

  static TwoLevelCache<JsonObject> cache(String name, CacheRedis redis, long ttlMs) {
    return TwoLevelCache.json(name, "surge:cache:test:", redis, true, 1000, ttlMs, 10, 2000);
  }

  /** A loader that counts its runs and answers after {@code delayMs}. */
  static Supplier<Future<JsonObject>> loader(Vertx vertx, AtomicInteger runs, String value, long delayMs) {
    return () -> {
      runs.incrementAndGet();
      if (delayMs <= 0) return Future.succeededFuture(new JsonObject().put("v", value));
      Promise<JsonObject> p = Promise.promise();
      vertx.setTimer(delayMs, t -> p.complete(new JsonObject().put("v", value)));
      return p.future();
    };
  }

  @Test
  void aBatchLoadsWhatNeitherLevelHasInOneCallAndLeavesTombstonedKeysOutOfL2(Vertx vertx) {
    CacheRedis redis = live(vertx);
    TwoLevelCache<JsonObject> c = cache(Client.unique("batch"), redis, 60_000);
    TwoLevelCache<JsonObject> other = TwoLevelCache.json(c.name(), "surge:cache:test:", redis, true, 1000, 60_000, 10, 2000);
    AtomicInteger calls = new AtomicInteger();
    List<List<String>> asked = new ArrayList<>();
    java.util.function.Function<List<String>, Future<java.util.Map<String, JsonObject>>> loader = keys -> {
      calls.incrementAndGet();
      asked.add(keys);
      java.util.Map<String, JsonObject> out = new java.util.HashMap<>();
      for (String k : keys) if (!k.equals("gone")) out.put(k, new JsonObject().put("v", k));
      return Future.succeededFuture(out);
    };
    c.get("a", false, () -> Future.succeededFuture(new JsonObject().put("v", "a"))).await(); // a: in L1 and L2
    c.invalidate("t", "m1").await(); // t: tombstoned
    var first = c.getAll(List.of("a", "b", "t", "gone"), loader).await();
    assertEquals(1, calls.get(), "one loader call for every key neither level had");
    assertEquals(List.of("b", "t", "gone"), asked.get(0));
    assertEquals("b", first.get("b").getString("v"));
    assertFalse(first.containsKey("gone"), "what the loader did not find is absent");
    awaitL2(redis, c.name(), "a", "b");

    // a node with an empty L1 finds a and b in L2; t stays out of L2 while its tombstone stands
    var second = other.getAll(List.of("a", "b", "t"), loader).await();
    assertEquals(3, second.size());
    assertEquals(List.of("t"), asked.get(1), "only the tombstoned key is loaded again");
    assertEquals(2, other.l2HitCount());
  }

  @Test
  void fiftyConcurrentColdReadsLoadOnce(Vertx vertx) {
    TwoLevelCache<JsonObject> c = cache(Client.unique("coalesce"), live(vertx), 60_000);
    AtomicInteger runs = new AtomicInteger();
    Promise<List<Future<JsonObject>>> started = Promise.promise();
    // from an event loop, as requests do: all 50 start before the first load can finish
    vertx.runOnContext(v -> {
      List<Future<JsonObject>> reads = new ArrayList<>();
      for (int i = 0; i < 50; i++) reads.add(c.get("k", false, loader(vertx, runs, "one", 100)));
      started.complete(reads);
    });
    List<Future<JsonObject>> reads = started.future().await();
    Future.all(reads).await();
    for (Future<JsonObject> r : reads) assertEquals("one", r.result().getString("v"));
    assertEquals(1, runs.get(), "one load for 50 concurrent cold reads");
    assertEquals(1, c.loads.sum());
    assertEquals(49, c.coalesced.sum());

    c.get("k", false, loader(vertx, runs, "two", 0)).await();
    assertEquals(1, runs.get(), "hot key: no load");
    assertEquals(1, c.l1Hits.sum());
  }

  @Test
  void secondInstanceReadsL2AndTtlExpires(Vertx vertx) {
    String name = Client.unique("l2");
    TwoLevelCache<JsonObject> b = cache(name, live(vertx), 600);
    AtomicInteger runs = new AtomicInteger();
    CacheRedis redisA = live(vertx);
    TwoLevelCache<JsonObject> a = cache(name, redisA, 600);
    assertEquals("a", a.get("k", false, loader(vertx, runs, "a", 0)).await().getString("v"));
    awaitL2(redisA, name, "k");
    assertEquals("a", b.get("k", false, loader(vertx, runs, "b", 0)).await().getString("v"));
    assertEquals(1, runs.get());
    assertEquals(1, b.l2Hits.sum());
    Eventually.pause(900); // the TTL running out (600 ms + 10 % jitter) is the behaviour under test
    assertEquals("c", b.get("k", false, loader(vertx, runs, "c", 0)).await().getString("v"));
    assertEquals(2, runs.get());
  }

  @Test
  void jitterStaysWithinItsBounds() {
    assertEquals(900, TwoLevelCache.jittered(1000, 10, 0.0));
    assertEquals(1100, TwoLevelCache.jittered(1000, 10, 1.0));
    assertEquals(1000, TwoLevelCache.jittered(1000, 0, 0.7));
    for (int i = 0; i < 1000; i++) {
      long ttl = TwoLevelCache.jittered(60_000, 10, Math.random());
      assertTrue(ttl >= 54_000 && ttl <= 66_000, "ttl " + ttl);
    }
    assertEquals(1, TwoLevelCache.jittered(1, 50, 0.0), "never below 1 ms");
  }

  @Test
  void strictReaderSeesAnInvalidationBeforeOtherNodesHearOfIt(Vertx vertx) {
    String name = Client.unique("strict");
    TwoLevelCache<JsonObject> writer = cache(name, live(vertx), 60_000);
    TwoLevelCache<JsonObject> other = cache(name, live(vertx), 60_000);
    AtomicInteger runs = new AtomicInteger();
    other.get("k", false, loader(vertx, runs, "old", 0)).await();
    writer.invalidate("k", "m1").await(); // the write; no message reaches "other" in this test
    assertEquals("old", other.get("k", false, loader(vertx, runs, "new", 0)).await().getString("v"),
        "anonymous readers keep L1 until the invalidation message arrives");
    assertEquals("new", other.get("k", true, loader(vertx, runs, "new", 0)).await().getString("v"),
        "a strict (signed-in) reader meets the tombstone and loads");
  }

  @Test
  void aLoadThatStartedBeforeAWriteDoesNotRefillL2(Vertx vertx) {
    String name = Client.unique("tomb");
    TwoLevelCache<JsonObject> slowReader = cache(name, live(vertx), 60_000);
    TwoLevelCache<JsonObject> writer = cache(name, live(vertx), 60_000);
    TwoLevelCache<JsonObject> later = cache(name, live(vertx), 60_000);
    AtomicInteger runs = new AtomicInteger();
    Future<JsonObject> slow = slowReader.get("k", false, loader(vertx, runs, "before-write", 300));
    Eventually.until("the slow load started", Duration.ofSeconds(5), Duration.ofMillis(5), () -> runs.get() == 1);
    writer.invalidate("k", "m2").await();
    slowReader.evictLocal("k"); // the invalidation message arriving mid-load
    assertEquals("before-write", slow.await().getString("v"));
    // Its L2 fill must be refused; a refused SET NX leaves no trace to wait for, so give a wrong fill time to land.
    Eventually.pause(50);
    assertEquals("after-write", later.get("k", false, loader(vertx, runs, "after-write", 0)).await().getString("v"),
        "the tombstone kept the old value out of L2");
    assertEquals("after-write", slowReader.get("k", false, loader(vertx, runs, "after-write", 0)).await().getString("v"),
        "the flight that lost its race did not fill L1");
  }

  @Test
  void breakerOpensOnFailureBypassesRedisThenCloses(Vertx vertx) {
    CacheRedis r = live(vertx);
    String name = Client.unique("breaker");
    TwoLevelCache<JsonObject> c = cache(name, r, 60_000);
    AtomicInteger runs = new AtomicInteger();
    // any failed command trips the breaker (an unknown command fails at once)
    r.send(Request.cmd(Command.create("SURGE-NO-SUCH-COMMAND"))).otherwiseEmpty().await();
    assertTrue(r.breakerOpen());
    assertFalse(r.available());
    long start = System.nanoTime();
    for (int i = 0; i < 20; i++) c.get("k", true, loader(vertx, runs, "db", 0)).await();
    assertTrue(System.nanoTime() - start < 1_000_000_000L, "bypass is immediate");
    assertEquals(20, runs.get(), "strict readers go to the database while L2 is out");
    assertEquals(20, c.fallbacks.sum());
    c.get("k", false, loader(vertx, runs, "db", 0)).await();
    c.get("k", false, loader(vertx, runs, "db", 0)).await();
    assertEquals(21, runs.get(), "the subscription is up, so L1 keeps serving");
    Eventually.until("breaker closes by itself (1 s reset)", Duration.ofSeconds(5), r::available);
    CacheRedis otherRedis = live(vertx);
    TwoLevelCache<JsonObject> other = cache(name, otherRedis, 60_000);
    other.get("k", false, loader(vertx, runs, "db", 0)).await();
    assertEquals(22, runs.get(), "nothing reached L2 while the breaker was open");
    awaitL2(otherRedis, name, "k");
    cache(name, live(vertx), 60_000).get("k", false, loader(vertx, runs, "db", 0)).await();
    assertEquals(22, runs.get(), "L2 filled again");
  }

  @Test
  void unreachableRedisMeansTheLoaderServes(Vertx vertx) {
    CacheRedis r = redis(vertx, new RedisConfig("127.0.0.1", Ports.free(), 200, 1), 1000);
    TwoLevelCache<JsonObject> c = cache(Client.unique("down"), r, 60_000);
    AtomicInteger runs = new AtomicInteger();
    for (int i = 0; i < 5; i++) assertEquals("db", c.get("k", i % 2 == 0, loader(vertx, runs, "db", 0)).await().getString("v"));
    assertEquals(5, runs.get());
    assertEquals(5, c.fallbacks.sum());
  }
}
