package surge.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Client;
import surge.support.Eventually;
import surge.support.TestNode;

/**
 * STOPS AND STARTS THE LOCAL STACK'S REPLICA ({@code bin/stack replica stop|start}) while a client
 * reads and writes: no request may fail, the replica must leave rotation within two seconds and
 * come back after it restarts. The replica is restarted in {@link #restartReplica} whatever happens.
 * {@code SURGE_STACK_SCRIPT} names the script when the stack belongs to another checkout.
 */
@Tag("stack")
@ExtendWith(VertxExtension.class)
class ReplicaFailoverIT {
  static TestNode.Started node;
  static Client client;
  static volatile boolean stopped;

  @BeforeAll
  static void start(Vertx vertx) {
    node = TestNode.startWithReplicas(vertx, Map.of());
    client = new Client(vertx, node.port());
    ReplicaStats.awaitHealthy(node, Duration.ofSeconds(10));
  }

  @AfterAll
  static void restartReplica() throws Exception {
    try {
      if (stopped) stack("start");
    } finally {
      if (node != null) node.stop();
    }
  }

  @Test
  void stoppingTheReplicaCausesNoClientErrorAndReadsResumeAfterRestart() throws Exception {
    JsonObject user = client.register("failover");
    String token = user.getString("token");
    String slug = client.article(token, Client.unique("Failover")).getString("slug");
    // Anonymous reads below come from the replica, which may show another client's write late.
    Eventually.value("the article visible to anonymous readers", Duration.ofSeconds(5), Duration.ofMillis(20),
        () -> client.get("/api/articles/" + slug), r -> r.statusCode() == 200);
    List<String> errors = new ArrayList<>();
    int requests = 0;

    long stopAt = System.nanoTime();
    stopped = true;
    CompletableFuture<Long> stop = CompletableFuture.supplyAsync(() -> {
      stack("stop");
      return System.nanoTime();
    });
    long unhealthyAt = 0;
    // Traffic through the stop and for 3 s after it: the window is the behaviour under test, so it is no Eventually.
    long deadline = Long.MAX_VALUE;
    while (System.nanoTime() < deadline) {
      requests += traffic(slug, token, requests, errors);
      if (unhealthyAt == 0 && !replicaHealthy(client.get("/health/shards"))) unhealthyAt = System.nanoTime();
      if (stop.isDone() && deadline == Long.MAX_VALUE) deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    }
    long stoppedAt = stop.get();
    assertEquals(List.of(), errors, "client errors while the replica stopped (" + requests + " requests)");
    assertTrue(unhealthyAt > 0, "the operator view must show the stopped replica unhealthy");
    long detectMs = TimeUnit.NANOSECONDS.toMillis(unhealthyAt - stoppedAt);
    System.out.printf("replica stop took %d ms; shown unhealthy %d ms after the stop finished; %d requests, 0 errors%n",
        TimeUnit.NANOSECONDS.toMillis(stoppedAt - stopAt), detectMs, requests);
    assertTrue(detectMs <= 2000, "out of rotation within 2 s of going down, took " + detectMs + " ms");

    long startAt = System.nanoTime();
    stack("start");
    stopped = false;
    long startedAt = System.nanoTime();
    ReplicaStats.Snapshot before = ReplicaStats.of(node);
    int[] sent = {requests};
    Eventually.value("replica reads resumed after the restart", Duration.ofSeconds(15), Duration.ZERO, () -> {
      sent[0] += traffic(slug, token, sent[0], errors);
      return node.node().services().shards().status();
    }, status -> replicaHealthy(client.get("/health/shards")) && ReplicaStats.of(node).minus(before).replicaReads() > 0);
    long backAt = System.nanoTime();
    assertEquals(List.of(), errors, "client errors around the replica's restart");
    System.out.printf("replica start took %d ms; healthy with reads on it %d ms after start finished%n",
        TimeUnit.NANOSECONDS.toMillis(startedAt - startAt), TimeUnit.NANOSECONDS.toMillis(backAt - startedAt));
  }

  /** A few reads (anonymous and as the writer) and, every few rounds, a write; non-2xx answers go to {@code errors}. */
  private static int traffic(String slug, String token, int round, List<String> errors) {
    List<HttpResponse<Buffer>> answers = new ArrayList<>();
    answers.add(client.get("/api/articles/" + slug));
    answers.add(client.get("/api/articles/" + slug, token));
    answers.add(client.get("/api/articles?limit=3"));
    answers.add(client.get("/api/tags"));
    if (round % 5 == 0) {
      answers.add(client.post("/api/articles/" + slug + "/comments", token,
          new JsonObject().put("comment", new JsonObject().put("body", "still here " + round))));
      answers.add(client.get("/api/articles/" + slug + "/comments", token));
    }
    for (HttpResponse<Buffer> r : answers) {
      if (r.statusCode() / 100 != 2) errors.add(r.statusCode() + " " + r.bodyAsString());
    }
    return answers.size();
  }

  private static boolean replicaHealthy(HttpResponse<Buffer> status) {
    assertEquals(200, status.statusCode(), status.bodyAsString());
    for (Object shard : status.bodyAsJsonObject().getJsonArray("shards")) {
      for (Object replica : ((JsonObject) shard).getJsonArray("replicas")) {
        if (!((JsonObject) replica).getBoolean("healthy")) return false;
      }
    }
    return true;
  }

  /** {@code bin/stack replica <action>}. */
  static void stack(String action) {
    surge.support.Stack.run("replica", action);
  }
}
