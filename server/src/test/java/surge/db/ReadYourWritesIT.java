package surge.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Client;
import surge.support.Eventually;
import surge.support.Ports;
import surge.support.TestNode;

/**
 * Read-your-writes through the stack's streaming replica: a client that wrote reads its write
 * back at once, on the node it wrote to and on another node, while most of its reads still go to
 * the replica. Two nodes run in this JVM against the same databases and Redis.
 */
@ExtendWith(VertxExtension.class)
class ReadYourWritesIT {
  static TestNode.Started a;
  static TestNode.Started b;
  static Client onA;
  static Client onB;

  @BeforeAll
  static void start(Vertx vertx) {
    a = TestNode.startWithReplicas(vertx, Map.of());
    b = TestNode.startWithReplicas(vertx, Map.of());
    onA = new Client(vertx, a.port());
    onB = new Client(vertx, b.port());
    ReplicaStats.awaitHealthy(a, Duration.ofSeconds(10));
    ReplicaStats.awaitHealthy(b, Duration.ofSeconds(10));
  }

  @AfterAll
  static void stop() {
    a.stop();
    b.stop();
  }

  @Test
  void writeThenReadBackToBackAlwaysSeesTheWrite() {
    String token = onA.register("ryw").getString("token");
    String followee = registeredAndVisible(onA, "rywf");
    ReplicaStats.Snapshot before = ReplicaStats.of(a);
    for (int i = 0; i < 50; i++) {
      String title = Client.unique("Ryw " + i);
      String slug = onA.article(token, title).getString("slug");
      assertEquals(title, article(onA, slug, token).getString("title"), "create, then read #" + i);

      String retitled = Client.unique("Retitled " + i);
      HttpResponse<Buffer> put = onA.put("/api/articles/" + slug, token,
          new JsonObject().put("article", new JsonObject().put("title", retitled)));
      assertEquals(200, put.statusCode(), put.bodyAsString());
      slug = put.bodyAsJsonObject().getJsonObject("article").getString("slug");
      assertEquals(retitled, article(onA, slug, token).getString("title"), "update, then read #" + i);

      ok(onA.post("/api/articles/" + slug + "/favorite", token, null));
      JsonObject favorited = article(onA, slug, token);
      assertEquals(true, favorited.getBoolean("favorited"), "favorite, then read #" + i);
      assertEquals(1, favorited.getInteger("favoritesCount"), "favorite, then read #" + i);

      boolean follow = i % 2 == 0;
      String path = "/api/profiles/" + followee + "/follow";
      ok(follow ? onA.post(path, token, null) : onA.delete(path, token));
      assertEquals(follow, profile(onA, followee, token).getBoolean("following"), "(un)follow, then read #" + i);

      String body = Client.unique("comment " + i);
      ok(onA.post("/api/articles/" + slug + "/comments", token,
          new JsonObject().put("comment", new JsonObject().put("body", body))));
      assertTrue(comments(onA, slug, token).stream().anyMatch(c -> body.equals(((JsonObject) c).getString("body"))),
          "comment, then list #" + i);
    }
    ReplicaStats.Snapshot during = ReplicaStats.of(a).minus(before);
    System.out.printf("back-to-back write-then-read: %d reads of the writer served by replica, %d by primary%n",
        during.markedOnReplica(), during.markedOnPrimary());
  }

  @Test
  void aWriteOnOneNodeIsSeenByTheSameUserOnAnotherAtOnce() {
    String token = onA.register("ryw2").getString("token");
    for (int i = 0; i < 20; i++) {
      String title = Client.unique("Cross " + i);
      String slug = onA.article(token, title).getString("slug");
      assertEquals(title, article(onB, slug, token).getString("title"), "create on A, read on B #" + i);

      ok(onA.post("/api/articles/" + slug + "/favorite", token, null));
      assertEquals(true, article(onB, slug, token).getBoolean("favorited"), "favorite on A, read on B #" + i);

      String body = Client.unique("cross comment");
      ok(onB.post("/api/articles/" + slug + "/comments", token,
          new JsonObject().put("comment", new JsonObject().put("body", body))));
      assertTrue(comments(onA, slug, token).stream().anyMatch(c -> body.equals(((JsonObject) c).getString("body"))),
          "comment on B, list on A #" + i);
    }
  }

  @Test
  void mostReadsOfARecentWriterAreServedByReplicas() {
    String token = onA.register("ratio").getString("token");
    String slug = onA.article(token, Client.unique("Ratio")).getString("slug");
    ReplicaStats.Snapshot beforeA = ReplicaStats.of(a);
    ReplicaStats.Snapshot beforeB = ReplicaStats.of(b);
    // comments: signed-in article reads come from the caches, comments are read from a database each time
    for (int i = 0; i < 100; i++) {
      comments(i % 2 == 0 ? onA : onB, slug, token);
      // The reads are spread over the 1.5 s after the write: where they land as the write ages is what is measured.
      Eventually.pause(15);
    }
    ReplicaStats.Snapshot onNodeA = ReplicaStats.of(a).minus(beforeA);
    ReplicaStats.Snapshot onNodeB = ReplicaStats.of(b).minus(beforeB);
    long replica = onNodeA.markedOnReplica() + onNodeB.markedOnReplica();
    long primary = onNodeA.markedOnPrimary() + onNodeB.markedOnPrimary();
    double share = (double) replica / (replica + primary);
    System.out.printf("recent writer, 100 reads over ~1.5 s on two nodes: %d by replica, %d by primary (%.0f%% replica)%n",
        replica, primary, share * 100);
    assertTrue(replica + primary >= 100, "every read of the writer is counted: " + (replica + primary));
    assertTrue(share > 0.5, "most reads of a recent writer must be served by replicas, got " + share);
  }

  @Test
  void anonymousReadsGoToReplicas() {
    ReplicaStats.Snapshot before = ReplicaStats.of(a);
    // ?favorited= pages are never list-cached: each is read from replicas, one query per physical shard
    String fan = onA.register("rrfan").getString("username");
    onA.get("/api/profiles/" + fan); // the name lookup is cached from here on
    before = ReplicaStats.of(a);
    for (int i = 0; i < 10; i++) ok(onA.get("/api/articles?limit=5&offset=" + i + "&favorited=" + fan));
    ReplicaStats.Snapshot after = ReplicaStats.of(a).minus(before);
    assertTrue(after.replicaReads() >= 20, "2 shards x 10 list reads on replicas, got " + after);
    assertEquals(0, after.markedOnReplica() + after.markedOnPrimary(), "anonymous reads have no mark");
  }

  @Test
  void operatorViewShowsShardsReplicasAndCounters() {
    HttpResponse<Buffer> r = onA.get("/health/shards");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonArray shards = r.bodyAsJsonObject().getJsonArray("shards");
    assertEquals(2, shards.size());
    int logical = 0;
    for (Object o : shards) {
      JsonObject shard = (JsonObject) o;
      logical += shard.getInteger("logicalShards");
      assertTrue(shard.getString("database").startsWith("surge_test"), shard.encode());
      JsonObject replica = shard.getJsonArray("replicas").getJsonObject(0);
      assertEquals(a.config().db().replicas(), replica.getString("endpoint"), "the configured replica");
      for (String field : new String[] {"healthy", "lagBytes", "lagMs", "lastCheck"}) {
        assertTrue(replica.containsKey(field), field + " in " + replica.encode());
      }
      JsonObject queries = shard.getJsonObject("counters").getJsonObject("queries");
      assertTrue(queries.containsKey("primary") && queries.containsKey("replica"), shard.encode());
    }
    assertEquals(Ids.LOGICAL_SHARDS, logical);
  }

  @Test
  void withRedisUnreachableRequestsSucceedAndSignedInReadsUseThePrimary(Vertx vertx) {
    TestNode.Started noRedis = TestNode.startWithReplicas(vertx,
        Map.of("redis.port", String.valueOf(Ports.free()) /* nothing listens there */, "redis.timeoutMs", "100"));
    try {
      Client c = new Client(vertx, noRedis.port());
      ReplicaStats.awaitHealthy(noRedis, Duration.ofSeconds(10));
      String token = c.register("noredis").getString("token");
      ReplicaStats.Snapshot before = ReplicaStats.of(noRedis);
      for (int i = 0; i < 10; i++) {
        String title = Client.unique("No Redis " + i);
        String slug = c.article(token, title).getString("slug");
        assertEquals(title, article(c, slug, token).getString("title"));
      }
      ReplicaStats.Snapshot during = ReplicaStats.of(noRedis).minus(before);
      // their reads bypass the cache (no Redis) and read primaries: cache loads always do, their own reads for want of marks
      assertTrue(during.primaryReads() >= 10, "signed-in reads without marks go to the primary: " + during);
      assertEquals(0, during.replicaReads(), during.toString());
      HttpResponse<Buffer> status = c.get("/health/shards");
      assertEquals("unavailable", status.bodyAsJsonObject().getJsonObject("readYourWrites").getString("redis"));
    } finally {
      noRedis.stop();
    }
  }

  /** Registers a user and waits until anonymous readers (replicas) see their profile. */
  static String registeredAndVisible(Client client, String prefix) {
    String name = client.register(prefix).getString("username");
    Eventually.value("the profile visible to anonymous readers", Duration.ofSeconds(5), Duration.ofMillis(20),
        () -> client.get("/api/profiles/" + name), r -> r.statusCode() == 200);
    return name;
  }

  static JsonObject article(Client client, String slug, String token) {
    HttpResponse<Buffer> r = client.get("/api/articles/" + slug, token);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getJsonObject("article");
  }

  static JsonObject profile(Client client, String username, String token) {
    HttpResponse<Buffer> r = client.get("/api/profiles/" + username, token);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getJsonObject("profile");
  }

  static JsonArray comments(Client client, String slug, String token) {
    HttpResponse<Buffer> r = client.get("/api/articles/" + slug + "/comments", token);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getJsonArray("comments");
  }

  static void ok(HttpResponse<Buffer> r) {
    assertTrue(r.statusCode() / 100 == 2, r.statusCode() + " " + r.bodyAsString());
  }
}
