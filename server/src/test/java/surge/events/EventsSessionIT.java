package surge.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Client;
import surge.support.EventLog.Event;
import surge.support.EventLog;
import surge.support.TestNode;

/**
 * Issue 5: every state change of a scripted RealWorld session reaches Kafka exactly once, on its aggregate's topic
 * and key, in order per aggregate, with unique ids; changes that change nothing publish nothing.
 *
 * <p>The node polls the outbox only every 10 minutes here, so events that arrive prove the relay is woken by the
 * outbox trigger's notifications, not by its poll.
 */
@ExtendWith(VertxExtension.class)
class EventsSessionIT {
  static TestNode.Started node;
  static Client client;
  static EventLog log;

  @BeforeAll
  static void start(Vertx vertx) {
    node = TestNode.start(vertx, Map.of("events.pollMs", "600000"));
    client = new Client(vertx, node.port());
    log = new EventLog(node.config());
  }

  @AfterAll
  static void stop() {
    if (log != null) log.close();
    if (node != null) node.stop();
  }

  @Test
  void aScriptedSessionPublishesExactlyItsEventsInOrderPerAggregate() {
    JsonObject a = client.register("eva");
    JsonObject b = client.register("evb");
    String ta = a.getString("token");
    String tb = b.getString("token");
    String aId = Ids.userOf(ta);
    String bId = Ids.userOf(tb);
    String bName = b.getString("username");

    ok(client.put("/api/user", ta, new JsonObject().put("user", new JsonObject().put("bio", "hello"))).statusCode());
    ok(client.post("/api/profiles/" + a.getString("username") + "/follow", tb, null).statusCode());
    ok(client.post("/api/profiles/" + a.getString("username") + "/follow", tb, null).statusCode()); // no change
    JsonObject article = client.article(ta, "Events " + UUID.randomUUID(), "events");
    String slug = article.getString("slug");
    String articleId = Ids.articleOf(slug);
    ok(client.put("/api/articles/" + slug, ta, new JsonObject().put("article", new JsonObject().put("body", "v2"))).statusCode());
    ok(client.post("/api/articles/" + slug + "/favorite", tb, null).statusCode());
    ok(client.post("/api/articles/" + slug + "/favorite", tb, null).statusCode()); // no change
    ok(client.delete("/api/articles/" + slug + "/favorite", tb).statusCode());
    var comment = client.post("/api/articles/" + slug + "/comments", tb,
        new JsonObject().put("comment", new JsonObject().put("body", "nice")));
    ok(comment.statusCode());
    long commentId = comment.bodyAsJsonObject().getJsonObject("comment").getLong("id");
    ok(client.delete("/api/articles/" + slug + "/comments/" + commentId, tb).statusCode());
    ok(client.delete("/api/profiles/" + a.getString("username") + "/follow", tb).statusCode());
    ok(client.delete("/api/profiles/" + a.getString("username") + "/follow", tb).statusCode()); // no change
    ok(client.delete("/api/articles/" + slug, ta).statusCode());

    Map<String, List<String>> expected = Map.of(
        aId, List.of("surge.user.registered", "surge.user.updated"),
        bId, List.of("surge.user.registered", "surge.user.followed", "surge.user.unfollowed"),
        articleId, List.of("surge.article.created", "surge.article.updated", "surge.article.favorited",
            "surge.article.unfavorited", "surge.comment.added", "surge.comment.deleted", "surge.article.deleted"));
    int total = expected.values().stream().mapToInt(List::size).sum();
    List<Event> events = log.await(EventLog.about(expected.keySet()), seen -> seen.size() >= total, 30_000);
    log.drain(1_000); // anything extra (a duplicate, an event for a no-op) would arrive by now
    events = log.matching(EventLog.about(expected.keySet()));

    assertEquals(total, events.size(), "exactly one event per change: " + events);
    Map<String, List<Event>> bySubject = EventLog.bySubject(events);
    expected.forEach((subject, types) ->
        assertEquals(types, bySubject.get(subject).stream().map(Event::type).toList(), "events of " + subject));
    Set<String> ids = new HashSet<>();
    for (Event e : events) {
      assertTrue(ids.add(e.id()), "unique id " + e.id());
      assertEquals(UUID.fromString(e.id()).toString(), e.id());
      assertEquals(e.subject(), e.key(), "key = aggregate id");
      String topic = e.type().startsWith("surge.user.") ? "surge.users" : "surge.articles";
      assertEquals(topic, e.topic());
      assertEquals("1.0", e.envelope().getString("specversion"));
      assertEquals("/surge", e.envelope().getString("source"));
      assertNotNull(e.envelope().getString("time"));
      assertTrue(e.contentType().startsWith("application/cloudevents+json"), e.contentType());
    }
    // The data names what happened, without secrets.
    Event registered = bySubject.get(bId).get(0);
    assertEquals(bName, registered.data().getString("username"));
    assertEquals(Set.of("userId", "username"), registered.data().fieldNames());
    Event followed = bySubject.get(bId).get(1);
    assertEquals(new JsonObject().put("followerId", bId).put("followeeId", aId), followed.data());
    Event added = bySubject.get(articleId).get(4);
    assertEquals(Long.toString(commentId), added.data().getString("commentId"));
    assertEquals(aId, added.data().getString("articleAuthorId"));
    assertEquals(bId, added.data().getString("authorId"));
    // One aggregate, one partition.
    for (List<Event> ofOne : bySubject.values()) {
      assertEquals(1, ofOne.stream().map(e -> e.topic() + "/" + e.partition()).distinct().count());
    }
  }

  private static void ok(int status) {
    assertTrue(status >= 200 && status < 300, "status " + status);
  }
}
