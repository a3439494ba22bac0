package surge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.SqlConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.db.PhysicalShard;
import surge.support.Client;
import surge.support.ErrorShape;
import surge.support.Eventually;
import surge.support.TestNode;

/**
 * Issue 6: a saturated database pool makes requests fail fast with 503 + Retry-After in the RealWorld error shape,
 * instead of queueing without bound, and the node recovers by itself once connections are free again.
 *
 * <p>The node has one connection per pool and room for two waiters; the test takes the connection of every
 * primary pool itself, so the pools are exactly as full as under a load that holds every connection.
 */
@ExtendWith(VertxExtension.class)
class BackpressureIT {
  /** What bounds a wait for a pool connection (the pools have no acquisition timer, see PhysicalShard.pool). */
  static final int REQUEST_TIMEOUT_MS = 500;
  static TestNode.Started node;
  static Client client;
  static WebClient web;

  @BeforeAll
  static void start(Vertx vertx) {
    node = TestNode.start(vertx, Map.of("db.poolSize", "1", "db.poolMaxWaitQueue", "2",
        "http.requestTimeoutMs", Integer.toString(REQUEST_TIMEOUT_MS), "cache.enabled", "false", "events.relay", "false"));
    client = new Client(vertx, node.port());
    web = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(node.port()),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(50));
  }

  /** Registration itself needs the small pool: retried while an earlier burst still drains. */
  private static String registerRetrying() {
    for (int attempt = 0; ; attempt++) {
      try {
        return client.register("bp").getString("token");
      } catch (AssertionError e) {
        if (attempt > 20 || !e.getMessage().contains(" 503 ")) throw e;
      }
    }
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
  }

  @Test
  void writesCompetingForASmallPoolGetTheirAnswerOr503NeverA500() {
    List<Future<HttpResponse<Buffer>>> burst = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      String name = Client.unique("bpw");
      JsonObject user = new JsonObject().put("username", name).put("email", name + "@example.com")
          .put("password", "password-" + name);
      burst.add(web.post("/api/users").sendJsonObject(new JsonObject().put("user", user)));
    }
    Future.join(burst).await();
    Map<Integer, Integer> statuses = new java.util.TreeMap<>();
    for (Future<HttpResponse<Buffer>> f : burst) {
      int status = f.result().statusCode();
      statuses.merge(status, 1, Integer::sum);
      assertTrue(status == 201 || status == 503, "status " + status + ": " + f.result().bodyAsString());
    }
    System.out.println("registrations under a one-connection pool: " + statuses);
  }

  @Test
  void aSaturatedPoolAnswers503FastAndTheNodeRecovers() {
    String token = registerRetrying();
    assertEquals(200, client.get("/api/articles", token).statusCode(), "control: the list works before");

    List<SqlConnection> held = new ArrayList<>();
    for (PhysicalShard shard : node.node().services().shards().all()) held.add(shard.primary().getConnection().await());
    try {
      long started = System.nanoTime();
      List<Future<HttpResponse<Buffer>>> burst = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        burst.add(web.get("/api/articles").putHeader("Authorization", "Token " + token).send());
      }
      Future.join(burst).await();
      long tookMs = (System.nanoTime() - started) / 1_000_000;
      for (Future<HttpResponse<Buffer>> f : burst) {
        HttpResponse<Buffer> r = f.result();
        ErrorShape.assertError(r, 503);
        assertNotNull(r.getHeader("Retry-After"));
      }
      // Nothing waited longer than the request timeout (plus slack for a loaded machine): no unbounded queue.
      assertTrue(tookMs < 10L * REQUEST_TIMEOUT_MS + 5_000, "the burst was answered in " + tookMs + " ms");
    } finally {
      held.forEach(connection -> connection.close().await());
    }
    // Recovers by itself: the first requests after the release may still meet the burst's last waiters.
    Eventually.value("recovered once connections were free", Duration.ofSeconds(10), Duration.ofMillis(100),
        () -> client.get("/api/articles", token).statusCode(), status -> status == 200);
  }
}
