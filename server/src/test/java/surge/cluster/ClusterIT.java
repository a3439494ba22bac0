package surge.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import surge.cache.Caches;
import surge.support.Client;
import surge.support.ClusterPair;
import surge.support.Eventually;
import surge.support.TestNode;

/**
 * Two clustered Vert.x instances in this JVM (two Hazelcast members on free loopback ports, each listing both),
 * each running a Surge node on the test databases: they form one cluster, the event bus spans them, and a write
 * on A drops B's in-process copy through the clustered bus (clustered nodes publish nothing on the Redis
 * invalidation channel, so Redis pub/sub plays no part in it).
 */
class ClusterIT {
  /** Short Hazelcast timings so the test never waits on defaults meant for real networks. */
  static final Map<String, String> FAST = Map.of(
      "hazelcast.wait.seconds.before.join", "0",
      "hazelcast.max.no.heartbeat.seconds", "10",
      "hazelcast.heartbeat.interval.seconds", "1",
      "hazelcast.merge.first.run.delay.seconds", "10",
      "hazelcast.merge.next.run.delay.seconds", "10");
  static ClusterPair pair;
  static Vertx vertxA;
  static Vertx vertxB;
  static TestNode.Started a;
  static TestNode.Started b;
  static Client onA;
  static Client onB;
  static long formedMs;

  @BeforeAll
  static void start() {
    pair = ClusterPair.start(FAST, Map.of());
    vertxA = pair.vertxA;
    vertxB = pair.vertxB;
    a = pair.a;
    b = pair.b;
    formedMs = pair.formedMs;
    System.out.printf("two-member cluster formed in %d ms%n", formedMs);
    onA = new Client(vertxA, a.port());
    onB = new Client(vertxB, b.port());
  }

  @AfterAll
  static void stop() {
    if (pair != null) pair.close();
  }


  @Test
  void theTwoNodesSeeEachOther() {
    assertTrue(vertxA.isClustered() && vertxB.isClustered());
    Eventually.until("2 members in both views", Duration.ofSeconds(10),
        () -> ((VertxInternal) vertxA).clusterManager().getNodes().size() >= 2
            && ((VertxInternal) vertxB).clusterManager().getNodes().size() >= 2);
    assertEquals(2, ((VertxInternal) vertxA).clusterManager().getNodes().size());
    assertEquals(2, ((VertxInternal) vertxB).clusterManager().getNodes().size());
    assertTrue(formedMs < 20_000, "cluster formed in " + formedMs + " ms");
  }

  @Test
  void aMessagePublishedOnAArrivesOnB() {
    ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
    MessageConsumer<String> consumer = vertxB.eventBus().<String>consumer("surge.test.cluster.ping",
        m -> received.add(m.body()));
    consumer.completion().await();
    // Subscriptions reach the other member's view asynchronously: publish until one arrives.
    long start = System.nanoTime();
    Eventually.until("a message published on A arrived on B", Duration.ofSeconds(5), () -> {
      if (!received.isEmpty()) return true;
      vertxA.eventBus().publish("surge.test.cluster.ping", "hello from A");
      return false;
    });
    System.out.printf("event bus A -> B: first message after %d ms%n", (System.nanoTime() - start) / 1_000_000);
    assertEquals("hello from A", received.peek());
    consumer.unregister().await();
  }

  static JsonObject article(Client c, String slug, String token) {
    HttpResponse<Buffer> r = c.get("/api/articles/" + slug, token);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getJsonObject("article");
  }

  static JsonObject articleCache(Client c) {
    return c.get("/health/cache").bodyAsJsonObject().getJsonObject("caches").getJsonObject("article");
  }

  @Test
  void aWriteOnADropsBsL1CopyOverTheClusteredBus() {
    String token = onA.register("clu").getString("token");
    String slug = onA.article(token, Client.unique("Clu")).getString("slug");
    // Let both nodes' bus views include the other's cache consumer before measuring.
    ConcurrentLinkedQueue<Object> seenOnB = new ConcurrentLinkedQueue<>();
    MessageConsumer<JsonObject> spy = vertxB.eventBus().consumer(Caches.ADDRESS, m -> seenOnB.add(m.body()));
    spy.completion().await();
    long worstMs = 0;
    for (int i = 0; i < 10; i++) {
      article(onB, slug, null); // B caches it in L1
      long hitsBefore = articleCache(onB).getLong("l1Hits");
      article(onB, slug, null);
      assertTrue(articleCache(onB).getLong("l1Hits") > hitsBefore, "B served its L1 copy #" + i);
      long invalidationsBefore = articleCache(onB).getLong("invalidations");
      String desc = Client.unique("desc " + i);
      HttpResponse<Buffer> put = onA.put("/api/articles/" + slug, token,
          new JsonObject().put("article", new JsonObject().put("description", desc)));
      assertEquals(200, put.statusCode(), put.bodyAsString());
      long start = System.nanoTime();
      Eventually.until("B's L1 fresh within 2 s of the write on A #" + i, Duration.ofSeconds(2), Duration.ofMillis(2),
          () -> desc.equals(article(onB, slug, null).getString("description")));
      worstMs = Math.max(worstMs, (System.nanoTime() - start) / 1_000_000);
      assertTrue(articleCache(onB).getLong("invalidations") > invalidationsBefore, "B evicted on A's message #" + i);
    }
    System.out.printf("clustered invalidation: anonymous reader on B fresh within %d ms (worst of 10)%n", worstMs);
    assertTrue(!seenOnB.isEmpty(), "A's invalidations reached B's event bus");
    spy.unregister().await();
  }
}
