package surge.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Client;
import surge.support.EventLog;
import surge.support.EventLog.Event;
import surge.support.TestNode;

/**
 * Issue 5: per-aggregate order holds with relays running on two nodes, under concurrent writes to one aggregate
 * through both nodes, across a crash of the active relay in the middle of it.
 *
 * <p>The aggregate is one article: its author updates it from two threads at once (each update moves
 * {@code updatedAt} forward, so the updates' true order is visible in their data), and six readers each toggle
 * their favorite ten times (each user's favorited/unfavorited must alternate). Halfway, the session of whichever
 * relay is active for the article's shard is terminated, so the rest is published by a relay that took over; the
 * rows the dead one had sent but not deleted go out again. De-duplicated by id (keeping the first), the topic must
 * show every event once, in an order consistent with how they were committed.
 */
@ExtendWith(VertxExtension.class)
class RelayOrderIT {
  static final int UPDATERS = 2;
  static final int UPDATES_EACH = 10;
  static final int FANS = 6;
  static final int TOGGLES_EACH = 10;
  static TestNode.Started a;
  static TestNode.Started b;
  static Vertx vertxB;
  static Client clientA;
  static Client clientB;
  static EventLog log;

  @BeforeAll
  static void start(Vertx vertx) {
    Map<String, String> fast = Map.of("events.lockRetryMs", "100", "events.backlogCheckMs", "200");
    a = TestNode.start(vertx, fast);
    vertxB = Vertx.vertx();
    b = TestNode.start(vertxB, fast);
    clientA = new Client(vertx, a.port());
    clientB = new Client(vertx, b.port());
    log = new EventLog(a.config());
  }

  @AfterAll
  static void stop() {
    if (log != null) log.close();
    if (b != null) b.stop();
    if (vertxB != null) vertxB.close().await();
    if (a != null) a.stop();
  }

  @Test
  void oneAggregatesEventsKeepTheirOrderAcrossTwoRelaysAndATakeover() throws Exception {
    JsonObject author = clientA.register("ordera");
    String token = author.getString("token");
    String slug = clientA.article(token, "Order " + UUID.randomUUID()).getString("slug");
    String articleId = Ids.articleOf(slug);
    List<JsonObject> fans = new ArrayList<>();
    for (int i = 0; i < FANS; i++) fans.add(clientA.register("orderf"));

    ExecutorService pool = Executors.newFixedThreadPool(UPDATERS + FANS);
    List<Future<?>> work = new ArrayList<>();
    for (int u = 0; u < UPDATERS; u++) {
      Client via = u % 2 == 0 ? clientA : clientB;
      int updater = u;
      work.add(pool.submit(() -> {
        for (int i = 0; i < UPDATES_EACH; i++) {
          JsonObject change = new JsonObject().put("body", "update " + updater + "." + i);
          assertEquals(200, via.put("/api/articles/" + slug, token, new JsonObject().put("article", change)).statusCode());
        }
      }));
    }
    for (int f = 0; f < FANS; f++) {
      String fan = fans.get(f).getString("token");
      int first = f;
      work.add(pool.submit(() -> {
        for (int i = 0; i < TOGGLES_EACH; i++) {
          Client via = (first + i) % 2 == 0 ? clientA : clientB;
          var r = i % 2 == 0 ? via.post("/api/articles/" + slug + "/favorite", fan, null)
              : via.delete("/api/articles/" + slug + "/favorite", fan);
          assertEquals(200, r.statusCode());
        }
      }));
    }
    // Halfway: crash the active relay of the article's shard (on whichever node holds it).
    log.await(e -> e.subject().equals(articleId), seen -> seen.size() >= 30, 60_000);
    String shard = a.node().services().shards().byId(Long.parseLong(articleId)).name();
    RelaySessions.kill(a, shard).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    for (Future<?> w : work) w.get(120, TimeUnit.SECONDS);
    pool.shutdown();

    int expected = 1 + UPDATERS * UPDATES_EACH + FANS * TOGGLES_EACH;
    log.await(e -> e.subject().equals(articleId), seen -> EventLog.firstOccurrences(seen).size() >= expected, 60_000);
    log.drain(1_000);
    List<Event> all = log.matching(e -> e.subject().equals(articleId));
    List<Event> events = EventLog.firstOccurrences(all);

    assertEquals(expected, events.size(), "every change once after de-duplication");
    assertEquals("surge.article.created", events.get(0).type());
    String lastUpdate = "";
    Map<String, String> lastByFan = new HashMap<>();
    for (Event e : events) {
      switch (e.type()) {
        case "surge.article.created", "surge.article.updated" -> {
          String at = e.data().getString("updatedAt");
          assertTrue(at.compareTo(lastUpdate) > 0, "updates in commit order: " + at + " after " + lastUpdate);
          lastUpdate = at;
        }
        case "surge.article.favorited", "surge.article.unfavorited" -> {
          String fan = e.data().getString("userId");
          String previous = lastByFan.getOrDefault(fan, "surge.article.unfavorited");
          assertTrue(!previous.equals(e.type()), "fan " + fan + " toggles alternate, got " + e.type() + " twice");
          lastByFan.put(fan, e.type());
        }
        default -> throw new AssertionError("unexpected event " + e.type());
      }
    }
    assertEquals(FANS, lastByFan.size());
    // The takeover really happened on one of the nodes (the killed relay's shard became active again somewhere).
    long takeovers = takeovers(a, shard) + takeovers(b, shard);
    assertTrue(takeovers >= 2, "the shard's relay became active again after the kill: " + takeovers);
  }

  private static long takeovers(TestNode.Started node, String shard) {
    JsonObject status = node.node().services().relayStats().status(List.of(shard));
    return status.getJsonArray("shards").getJsonObject(0).getLong("becameActive");
  }
}
