package surge.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Client;
import surge.support.TestNode;

/**
 * Issue 5, write side (design §4): every state change writes its event into the outbox of the
 * shard that holds its aggregate, in the same statement, and a write that changed nothing writes
 * none. Checked in the four shard databases themselves after a scripted API session.
 */
@ExtendWith(VertxExtension.class)
class OutboxIT {
  static TestNode.Started node;
  static Client client;
  static List<Pool> dbs;

  @BeforeAll
  static void start(Vertx vertx) {
    // No relay on this node: the test reads the rows it wrote before anything publishes and deletes them.
    var config = new java.util.HashMap<>(PropDbs.nodeConfig(PropDbs.FOUR));
    config.put("events.relay", "false");
    node = TestNode.start(vertx, config);
    client = new Client(vertx, node.port());
    dbs = PropDbs.pools(vertx, PropDbs.FOUR);
  }

  @AfterAll
  static void stop() {
    PropDbs.close(dbs);
    if (node != null) node.stop();
  }

  record Event(int db, long seq, String id, String aggregateType, long aggregateId, String type, JsonObject payload) {}

  @Test
  void everyChangeWritesOneEventOnItsAggregatesShardAndNoOpsWriteNone() {
    JsonObject a = client.register("oba");
    JsonObject b = client.register("obb");
    String ta = a.getString("token");
    String tb = b.getString("token");
    long aId = PlacementIT.subjectOf(ta);
    long bId = PlacementIT.subjectOf(tb);

    ok(client.post("/api/profiles/" + a.getString("username") + "/follow", tb, null));
    ok(client.post("/api/profiles/" + a.getString("username") + "/follow", tb, null)); // no-op
    String slug = client.article(ta, Client.unique("Outboxed"), "outbox", "events").getString("slug");
    long x = PlacementIT.articleIdOf(slug);
    ok(client.post("/api/articles/" + slug + "/favorite", tb, null));
    ok(client.post("/api/articles/" + slug + "/favorite", tb, null)); // no-op
    HttpResponse<Buffer> c = client.post("/api/articles/" + slug + "/comments", tb,
        new JsonObject().put("comment", new JsonObject().put("body", "nice")));
    ok(c);
    long commentId = c.bodyAsJsonObject().getJsonObject("comment").getLong("id");
    HttpResponse<Buffer> u = client.put("/api/articles/" + slug, ta,
        new JsonObject().put("article", new JsonObject().put("title", Client.unique("Retitled"))));
    ok(u);
    slug = u.bodyAsJsonObject().getJsonObject("article").getString("slug");
    ok(client.delete("/api/articles/" + slug + "/favorite", tb));
    ok(client.delete("/api/articles/" + slug + "/favorite", tb)); // no-op
    ok(client.delete("/api/articles/" + slug + "/comments/" + commentId, tb));
    ok(client.delete("/api/articles/" + slug, ta));
    ok(client.delete("/api/profiles/" + a.getString("username") + "/follow", tb));
    ok(client.delete("/api/profiles/" + a.getString("username") + "/follow", tb)); // no-op: not followed any more
    ok(client.put("/api/user", ta, new JsonObject().put("user", new JsonObject().put("bio", "writes events"))));

    List<Event> events = new ArrayList<>();
    for (int p = 0; p < dbs.size(); p++) {
      for (Row row : PropDbs.rows(dbs.get(p), "SELECT seq, id::text, aggregate_type, aggregate_id, type, payload::text"
          + " FROM outbox WHERE aggregate_id = ANY($1) ORDER BY seq", (Object) new Long[] {aId, bId, x})) {
        events.add(new Event(p, row.getLong(0), row.getString(1), row.getString(2), row.getLong(3), row.getString(4),
            new JsonObject(row.getString(5))));
      }
    }

    Map<Long, List<String>> byAggregate = new LinkedHashMap<>();
    for (long id : new long[] {aId, bId, x}) byAggregate.put(id, new ArrayList<>());
    events.stream().sorted((e, f) -> Long.compare(e.seq(), f.seq()))
        .forEach(e -> byAggregate.get(e.aggregateId()).add(e.type()));
    assertEquals(List.of("surge.user.registered", "surge.user.updated"), byAggregate.get(aId));
    assertEquals(List.of("surge.user.registered", "surge.user.followed", "surge.user.unfollowed"), byAggregate.get(bId));
    assertEquals(List.of("surge.article.created", "surge.article.favorited", "surge.comment.added", "surge.article.updated",
        "surge.article.unfavorited", "surge.comment.deleted", "surge.article.deleted"), byAggregate.get(x));

    Set<String> ids = new HashSet<>();
    for (Event e : events) {
      assertTrue(ids.add(e.id()), "event ids are unique: " + e.id());
      assertEquals(PlacementIT.physicalOfId(e.aggregateId()), e.db(), e.type() + " should be on its aggregate's shard");
      assertEquals(e.aggregateId() == x ? "article" : "user", e.aggregateType());
      JsonObject env = e.payload();
      assertEquals("1.0", env.getString("specversion"));
      assertEquals(e.id(), env.getString("id"));
      assertEquals(e.type(), env.getString("type"));
      assertEquals("/surge", env.getString("source"));
      assertEquals("application/json", env.getString("datacontenttype"));
      assertEquals(Long.toString(e.aggregateId()), env.getString("subject"));
      assertTrue(env.getString("time").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), env.getString("time"));
      JsonObject data = env.getJsonObject("data");
      assertFalse(data.containsKey("email") || data.containsKey("passwordHash") || data.containsKey("password_hash"),
          "no personal data or secrets in " + data);
      switch (e.type()) {
        case "surge.user.registered", "surge.user.updated" -> {
          assertEquals(Long.toString(e.aggregateId()), data.getString("userId"));
          assertEquals(e.aggregateId() == aId ? a.getString("username") : b.getString("username"), data.getString("username"));
        }
        case "surge.user.followed", "surge.user.unfollowed" -> {
          assertEquals(Long.toString(bId), data.getString("followerId"));
          assertEquals(Long.toString(aId), data.getString("followeeId"));
        }
        case "surge.article.favorited", "surge.article.unfavorited" -> {
          assertEquals(Long.toString(x), data.getString("articleId"));
          assertEquals(Long.toString(bId), data.getString("userId"));
        }
        case "surge.comment.added", "surge.comment.deleted" -> {
          assertEquals(Long.toString(commentId), data.getString("commentId"));
          assertEquals(Long.toString(x), data.getString("articleId"));
          assertEquals(Long.toString(bId), data.getString("authorId"));
        }
        default -> {
          assertEquals(Long.toString(x), data.getString("articleId"));
          assertEquals(Long.toString(aId), data.getString("authorId"));
        }
      }
    }
    JsonObject created = events.stream().filter(e -> e.type().equals("surge.article.created")).findFirst().orElseThrow().payload();
    assertEquals(List.of("events", "outbox"), created.getJsonObject("data").getJsonArray("tags").getList());
  }

  @Test
  void aFailedWriteLeavesNoEvent() {
    JsonObject a = client.register("obf");
    long aId = PlacementIT.subjectOf(a.getString("token"));
    // favoriting an article that does not exist fails inside the statement: no favorited event anywhere
    long missing = (aId & ~1023L) | 1023L; // an id on A's shard that names no article
    String slug = "nothing-" + Long.toString(missing, 36);
    assertEquals(404, client.post("/api/articles/" + slug + "/favorite", a.getString("token"), null).statusCode());
    for (Pool db : dbs) {
      assertEquals(List.of(), PropDbs.rows(db, "SELECT type FROM outbox WHERE aggregate_id = $1", missing));
    }
  }

  private static void ok(HttpResponse<Buffer> r) {
    assertTrue(r.statusCode() / 100 == 2, r.statusCode() + " " + r.bodyAsString());
  }
}
