package surge.graphql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import surge.support.Client;
import surge.support.ClusterPair;
import surge.support.Eventually;

/**
 * Subscriptions on two clustered nodes: every write is made through REST on node A, every socket is held by node B,
 * so each event travels outbox → Kafka → the relay (on whichever node holds the shard) → the clustered event bus →
 * B's hubs → the sockets. Each viewer gets only what concerns them, with their own flags, and a completed
 * subscription gets nothing more.
 */
class GraphqlSubscriptionsIT {
  static final Map<String, String> FAST = Map.of(
      "hazelcast.wait.seconds.before.join", "0",
      "hazelcast.max.no.heartbeat.seconds", "10",
      "hazelcast.heartbeat.interval.seconds", "1");
  static final String FEED = "subscription { articlePublished { slug title author { username following } } }";
  static final String FANS = "subscription { followerAdded { username following } }";
  static ClusterPair pair;
  static Client onA;

  @BeforeAll
  static void start() {
    pair = ClusterPair.start(FAST, Map.of());
    onA = new Client(pair.vertxA, pair.a.port());
  }

  @AfterAll
  static void stop() {
    if (pair != null) pair.close();
  }

  @Test
  void restWritesOnAReachTheirSubscribersOnB() {
    JsonObject author = onA.register("wsc-au");
    JsonObject author2 = onA.register("wsc-av");
    JsonObject reader = onA.register("wsc-r");
    JsonObject stranger = onA.register("wsc-s");
    follow(reader, author);
    follow(stranger, author2);
    String slug = onA.article(token(author), "Talk " + Client.unique("t")).getString("slug");

    try (WsClient r = WsClient.connect(pair.vertxB, pair.b.port()).ready(token(reader));
         WsClient s = WsClient.connect(pair.vertxB, pair.b.port()).ready(token(stranger))) {
      r.subscribe("feed", FEED, null);
      r.subscribe("fans", FANS, null);
      r.subscribe("talk", "subscription($s: String!) { commentAdded(slug: $s) { body } }", new JsonObject().put("s", slug));
      s.subscribe("feed", FEED, null);
      s.subscribe("fans", FANS, null);
      // B's consumers reach the relay's view of the cluster asynchronously: comment until one comes through
      Eventually.until("a comment written on A reaches the socket on B", java.time.Duration.ofMillis(30_000), () -> {
        comment(author, slug, "warm-up");
        return r.poll(Duration.ofMillis(500)) != null;
      });

      // a new article of an author the reader follows, with the reader's own flag on its author
      String title = "Live " + Client.unique("a");
      long t0 = System.nanoTime();
      onA.article(token(author), title);
      JsonObject published = data(nextFor(r, "feed", new ArrayList<>())).getJsonObject("articlePublished");
      System.out.printf("POST /api/articles on A to next on B: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
      assertEquals(title, published.getString("title"));
      assertEquals(author.getString("username"), published.getJsonObject("author").getString("username"));
      assertEquals(true, published.getJsonObject("author").getBoolean("following"));

      // the stranger follows someone else: the first article they are sent is that author's, written after the reader's
      String other = "Other " + Client.unique("b");
      onA.article(token(author2), other);
      assertEquals(other, data(nextFor(s, "feed", new ArrayList<>())).getJsonObject("articlePublished").getString("title"));

      // a new follower of the reader, whom the reader follows back: following as the reader sees it
      JsonObject fan = onA.register("wsc-f");
      follow(reader, fan);
      follow(fan, reader);
      JsonObject newFan = data(nextFor(r, "fans", new ArrayList<>())).getJsonObject("followerAdded");
      assertEquals(fan.getString("username"), newFan.getString("username"));
      assertEquals(true, newFan.getBoolean("following"));
      JsonObject fan2 = onA.register("wsc-g");
      follow(fan2, stranger);
      JsonObject strangersFan = data(nextFor(s, "fans", new ArrayList<>())).getJsonObject("followerAdded");
      assertEquals(fan2.getString("username"), strangersFan.getString("username"), "not the reader's follower");
      assertEquals(false, strangersFan.getBoolean("following"));

      // complete: the finished subscription gets nothing more, a new one on the same socket does
      r.complete("feed");
      r.subscribe("feed2", FEED, null);
      String later = "Later " + Client.unique("c");
      onA.article(token(author), later);
      List<JsonObject> skipped = new ArrayList<>();
      assertEquals(later, data(nextFor(r, "feed2", skipped)).getJsonObject("articlePublished").getString("title"));
      assertTrue(skipped.stream().noneMatch(m -> "feed".equals(m.getString("id"))), "after complete: " + skipped);
    }
  }

  /** The next message for subscription {@code id}; messages of the socket's other subscriptions go to {@code skipped}. */
  private static JsonObject nextFor(WsClient ws, String id, List<JsonObject> skipped) {
    while (true) {
      JsonObject message = ws.next(20_000);
      if (id.equals(message.getString("id"))) return message;
      skipped.add(message);
    }
  }

  private static JsonObject data(JsonObject next) {
    assertEquals("next", next.getString("type"), next.encode());
    JsonObject payload = next.getJsonObject("payload");
    assertTrue(payload.getJsonArray("errors") == null, payload.encode());
    return payload.getJsonObject("data");
  }

  private static void follow(JsonObject who, JsonObject whom) {
    int status = onA.post("/api/profiles/" + whom.getString("username") + "/follow", token(who), null).statusCode();
    assertEquals(200, status);
  }

  private static void comment(JsonObject who, String slug, String body) {
    int status = onA.post("/api/articles/" + slug + "/comments", token(who),
        new JsonObject().put("comment", new JsonObject().put("body", body))).statusCode();
    assertEquals(201, status);
  }

  private static String token(JsonObject user) {
    return user.getString("token");
  }
}
