package surge.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import surge.support.Client;
import surge.support.ClusterPair;
import surge.support.Eventually;
import surge.support.LiveEnvelopes;
import surge.support.SseClient;
import surge.support.TestNode;

/**
 * Two clustered nodes in this JVM (as in {@code surge.cluster.ClusterIT}): an event the relay publishes on
 * node A's event bus reaches a stream held by node B.
 */
class StreamClusterIT {
  static final Map<String, String> FAST = Map.of(
      "hazelcast.wait.seconds.before.join", "0",
      "hazelcast.max.no.heartbeat.seconds", "10",
      "hazelcast.heartbeat.interval.seconds", "1");
  static ClusterPair pair;
  static Vertx vertxA;
  static Vertx vertxB;
  static TestNode.Started b;

  @BeforeAll
  static void start() {
    pair = ClusterPair.start(FAST, Map.of());
    vertxA = pair.vertxA;
    vertxB = pair.vertxB;
    b = pair.b;
  }

  @AfterAll
  static void stop() {
    if (pair != null) pair.close();
  }

  @Test
  void anEventPublishedOnAReachesAStreamOnB() throws InterruptedException {
    Client onB = new Client(vertxB, b.port());
    JsonObject author = onB.register("sseclu");
    String readerToken = onB.register("sseclur").getString("token");
    long authorId = LiveEnvelopes.userId(author.getString("token"));
    assertEquals(200, onB.post("/api/profiles/" + author.getString("username") + "/follow", readerToken, null).statusCode());
    try (SseClient stream = SseClient.open(vertxB, b.port(), readerToken)) {
      assertEquals(200, stream.status());
      // B's subscriptions reach A's view of the cluster asynchronously: publish until one arrives
      Set<String> published = new HashSet<>();
      long start = System.nanoTime();
      SseClient.Frame got = Eventually.value("an event published on A on B's stream", Duration.ofSeconds(15), Duration.ZERO,
          () -> {
            published.add(LiveEnvelopes.publish(vertxA, LiveEnvelopes.articleCreated(authorId, "from A")).getString("id"));
            try {
              return stream.nextEvent(Duration.ofMillis(200)); // waits up to 200 ms itself
            } catch (AssertionError timeout) {
              return null;
            }
          }, java.util.Objects::nonNull);
      System.out.printf("stream on B got A's event after %d ms%n", (System.nanoTime() - start) / 1_000_000);
      assertTrue(published.contains(got.id()), "the event is one A published");
      assertEquals("surge.article.created", got.event());
      assertEquals(Long.toString(authorId), got.json().getJsonObject("data").getString("authorId"));
    }
  }
}
