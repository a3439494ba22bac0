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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.config.SurgeConfig;
import surge.support.Client;
import surge.support.TestNode;
import surge.support.Wait;

/** The cache on its own against the stack's Redis: coalescing, both levels, TTL, jitter, tombstones, breaker. */
@ExtendWith(VertxExtension.class)
class TwoLevelCacheIT {
  static final SurgeConfig.Redis REDIS = new SurgeConfig.Redis("127.0.0.1", 16379, 200, 1);
  final List<CacheRedis> opened = new ArrayList<>();

  @AfterEach
  void close() {
    for (CacheRedis r : opened) r.close().await();
  }

  CacheRedis redis(Vertx vertx, SurgeConfig.Redis config, long breakerMs) {
    CacheRedis r = new CacheRedis(vertx, config, "surge:cache:test:", breakerMs, m -> {}, () -> {});
    opened.add(r);
    return r;
  }

  CacheRedis live(Vertx vertx) {
    CacheRedis r = redis(vertx, REDIS, 1000);
    long deadline = System.currentTimeMillis() + 5000;
    while (!r.available()) {
      if (System.currentTimeMillis() > deadline) throw new AssertionError("cache Redis not available");
      Wait.sleep(20);
    }
    return r;
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
    Wait.sleep(50); // the L2 fills are sent, not awaited

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
    TwoLevelCache<JsonObject> a = cache(name, live(vertx), 600);
    TwoLevelCache<JsonObject> b = cache(name, live(vertx), 600);
    AtomicInteger runs = new AtomicInteger();
    assertEquals("a", a.get("k", false, loader(vertx, runs, "a", 0)).await().getString("v"));
    Wait.sleep(50); // the L2 fill is not awaited by the reader
    assertEquals("a", b.get("k", false, loader(vertx, runs, "b", 0)).await().getString("v"));
    assertEquals(1, runs.get());
    assertEquals(1, b.l2Hits.sum());
    Wait.sleep(900); // past 600 ms + 10 % jitter: gone from L1 and L2
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
    Wait.sleep(100);
    writer.invalidate("k", "m2").await();
    slowReader.evictLocal("k"); // the invalidation message arriving mid-load
    assertEquals("before-write", slow.await().getString("v"));
    Wait.sleep(50);
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
    Wait.sleep(1100);
    assertTrue(r.available(), "breaker closes by itself");
    TwoLevelCache<JsonObject> other = cache(name, live(vertx), 60_000);
    other.get("k", false, loader(vertx, runs, "db", 0)).await();
    assertEquals(22, runs.get(), "nothing reached L2 while the breaker was open");
    Wait.sleep(50);
    cache(name, live(vertx), 60_000).get("k", false, loader(vertx, runs, "db", 0)).await();
    assertEquals(22, runs.get(), "L2 filled again");
  }

  @Test
  void unreachableRedisMeansTheLoaderServes(Vertx vertx) {
    CacheRedis r = redis(vertx, new SurgeConfig.Redis("127.0.0.1", TestNode.freePort(), 200, 1), 1000);
    TwoLevelCache<JsonObject> c = cache(Client.unique("down"), r, 60_000);
    AtomicInteger runs = new AtomicInteger();
    for (int i = 0; i < 5; i++) assertEquals("db", c.get("k", i % 2 == 0, loader(vertx, runs, "db", 0)).await().getString("v"));
    assertEquals(5, runs.get());
    assertEquals(5, c.fallbacks.sum());
  }
}
