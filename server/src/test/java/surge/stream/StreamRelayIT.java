package surge.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Client;
import surge.support.Eventually;
import surge.support.LiveEnvelopes;
import surge.support.SseClient;
import surge.support.TestNode;

/**
 * End to end, nothing synthetic: API writes → outbox → the node's relay → Kafka → {@code surge.events.live} →
 * the stream of the user they concern.
 */
@ExtendWith(VertxExtension.class)
class StreamRelayIT {
  static final Duration WAIT = Duration.ofSeconds(15);
  static Vertx vertx;
  static TestNode.Started node;
  static Client client;

  @BeforeAll
  static void start(Vertx v) {
    vertx = v;
    node = TestNode.start(vertx, Map.of());
    client = new Client(vertx, node.port());
  }

  @AfterAll
  static void stop() {
    node.stop();
  }

  static void ok(int status) {
    assertEquals(200, status);
  }

  /**
   * A shard's events are relayed by whichever node holds its advisory lock, onto that node's bus; these nodes are not
   * clustered, so this node must be the active relay of every shard. A node of an earlier test class may still be
   * letting go of a lock: wait for it.
   */
  static void awaitActiveRelayOnEveryShard() {
    Eventually.value("this node the active relay of every shard (else another process holds a relay lock on the test"
        + " databases)", Duration.ofSeconds(60), Duration.ofMillis(100), () -> client.get("/health/events").bodyAsJsonObject(),
        events -> events.getJsonArray("shards").stream().allMatch(s -> ((JsonObject) s).getBoolean("activeHere")));
  }

  @Test
  void writesThroughTheApiReachTheStreamsTheyConcern() {
    awaitActiveRelayOnEveryShard();
    JsonObject a = client.register("sserela");
    JsonObject b = client.register("sserelb");
    JsonObject x = client.register("sserelx");
    String ta = a.getString("token");
    String tb = b.getString("token");
    String tx = x.getString("token");
    ok(client.post("/api/profiles/" + a.getString("username") + "/follow", tb, null).statusCode());
    try (SseClient stream = SseClient.open(vertx, node.port(), tb)) {
      assertEquals(200, stream.status());

      String title = Client.unique("Relayed");
      client.article(ta, title, "live");
      SseClient.Frame article = stream.nextEvent(WAIT);
      assertEquals("surge.article.created", article.event());
      assertEquals(title, article.json().getJsonObject("data").getString("title"));
      assertEquals(Long.toString(LiveEnvelopes.userId(ta)), article.json().getJsonObject("data").getString("authorId"));

      String slug = client.article(tb, Client.unique("Mine")).getString("slug"); // b's own: not news to b
      assertEquals(201, client.post("/api/articles/" + slug + "/comments", tx,
          new JsonObject().put("comment", new JsonObject().put("body", "hi"))).statusCode());
      SseClient.Frame comment = stream.nextEvent(WAIT);
      assertEquals("surge.comment.added", comment.event());
      assertEquals(Long.toString(LiveEnvelopes.userId(tb)), comment.json().getJsonObject("data").getString("articleAuthorId"));

      ok(client.post("/api/profiles/" + b.getString("username") + "/follow", tx, null).statusCode());
      SseClient.Frame follower = stream.nextEvent(WAIT);
      assertEquals("surge.user.followed", follower.event());
      assertEquals(Long.toString(LiveEnvelopes.userId(tx)), follower.json().getJsonObject("data").getString("followerId"));
      assertEquals(follower.id(), follower.json().getString("id"), "the SSE id is the event id");
    }
  }
}
