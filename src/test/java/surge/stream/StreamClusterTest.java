package surge.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import surge.cluster.Cluster;
import surge.config.SurgeConfig;
import surge.support.Client;
import surge.support.LiveEnvelopes;
import surge.support.SseClient;
import surge.support.TestNode;

/**
 * Two clustered nodes in this JVM (as in {@code surge.cluster.ClusterTest}): an event the relay publishes on
 * node A's event bus reaches a stream held by node B.
 */
class StreamClusterTest {
  static final Map<String, String> FAST = Map.of(
      "hazelcast.wait.seconds.before.join", "0",
      "hazelcast.max.no.heartbeat.seconds", "10",
      "hazelcast.heartbeat.interval.seconds", "1");
  static Vertx vertxA;
  static Vertx vertxB;
  static TestNode.Started a;
  static TestNode.Started b;

  @BeforeAll
  static void start() {
    int portA = TestNode.freePort();
    int portB = TestNode.freePort();
    while (portB == portA) portB = TestNode.freePort();
    List<String> members = List.of("127.0.0.1:" + portA, "127.0.0.1:" + portB);
    Future<Vertx> fa = Cluster.vertx(new SurgeConfig.Cluster(true, members, "127.0.0.1", portA), FAST);
    Future<Vertx> fb = Cluster.vertx(new SurgeConfig.Cluster(true, members, "127.0.0.1", portB), FAST);
    try {
      Future.join(fa, fb).await();
    } catch (RuntimeException e) {
      if (fa.succeeded()) fa.result().close().await();
      if (fb.succeeded()) fb.result().close().await();
      throw e;
    }
    vertxA = fa.result();
    vertxB = fb.result();
    a = TestNode.start(vertxA, Map.of());
    b = TestNode.start(vertxB, Map.of());
  }

  @AfterAll
  static void stop() {
    if (a != null) a.stop();
    if (b != null) b.stop();
    if (vertxA != null) vertxA.close().await();
    if (vertxB != null) vertxB.close().await();
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
      SseClient.Frame got = null;
      while (got == null) {
        assertTrue(System.nanoTime() - start < 15_000_000_000L, "nothing published on A reached B's stream in 15 s");
        published.add(LiveEnvelopes.publish(vertxA, LiveEnvelopes.articleCreated(authorId, "from A")).getString("id"));
        try {
          got = stream.nextEvent(Duration.ofMillis(200));
        } catch (AssertionError timeout) {
          got = null;
        }
      }
      System.out.printf("stream on B got A's event after %d ms%n", (System.nanoTime() - start) / 1_000_000);
      assertTrue(published.contains(got.id()), "the event is one A published");
      assertEquals("surge.article.created", got.event());
      assertEquals(Long.toString(authorId), got.json().getJsonObject("data").getString("authorId"));
    }
  }
}
