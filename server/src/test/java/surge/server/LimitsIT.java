package surge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
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
 * Issue 6 backpressure limits: a request that cannot start its response within {@code http.requestTimeoutMs} gets a
 * 503 JSON answer instead of waiting on a stuck dependency. (The connection caps are surge.edge's: ConnectionBudgetIT.)
 */
@ExtendWith(VertxExtension.class)
class LimitsIT {
  static TestNode.Started slow;

  @BeforeAll
  static void start(Vertx vertx) {
    slow = TestNode.start(vertx, Map.of("http.requestTimeoutMs", "1500", "db.poolSize", "1",
        "cache.enabled", "false", "events.relay", "false"));
  }

  @AfterAll
  static void stop() {
    if (slow != null) slow.stop();
  }

  @Test
  void aRequestStuckOnADependencyGets503AtTheTimeout(Vertx vertx) {
    Client client = new Client(vertx, slow.port());
    String token = client.register("tmo").getString("token");
    List<SqlConnection> held = new ArrayList<>();
    for (PhysicalShard shard : slow.node().services().shards().all()) held.add(shard.primary().getConnection().await());
    try {
      HttpResponse<Buffer> r = client.get("/api/articles", token);
      JsonObject errors = ErrorShape.assertError(r, 503, "request");
      assertEquals("1", r.getHeader("Retry-After"));
      assertEquals("is unavailable, retry later", errors.getJsonArray("request").getString(0));
    } finally {
      held.forEach(connection -> connection.close().await());
    }
    Eventually.value("served again once the pool is free", Duration.ofSeconds(10), Duration.ofMillis(100),
        () -> client.get("/api/articles", token).statusCode(), status -> status == 200);
  }

}
