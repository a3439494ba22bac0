package surge.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.db.PhysicalShard;
import surge.support.Client;
import surge.support.EventLog.Event;
import surge.support.EventLog;
import surge.support.Eventually;
import surge.support.TestNode;

/**
 * Issue 5: a relay that dies after Kafka acknowledged an event but before it deleted the row loses nothing: the next
 * active relay publishes the row again, under the same event id, and only then deletes it.
 *
 * <p>The node runs without its own relay; the test deploys one whose hook, right after the acks for the marked
 * user's registration, terminates the relay's database session (where its lock lives) as a crash would.
 */
@ExtendWith(VertxExtension.class)
class RelayCrashIT {
  static TestNode.Started node;
  static Client client;
  static EventLog log;
  static final String MARK = Client.unique("crashmark");
  static final AtomicBoolean killed = new AtomicBoolean();

  @BeforeAll
  static void start(Vertx vertx) {
    node = TestNode.start(vertx, Map.of("events.relay", "false"));
    client = new Client(vertx, node.port());
    RelayHooks killOnce = (shard, published) -> published.stream().anyMatch(r -> r.payload().contains(MARK))
        && killed.compareAndSet(false, true) ? RelaySessions.kill(node, shard) : Future.succeededFuture();
    RelayStats stats = new RelayStats();
    vertx.deployVerticle(new OutboxRelay(node.config(), node.node().services().shards(), stats, killOnce)).await();
    log = new EventLog(node.config());
    awaitActiveEverywhere(stats);
  }

  /** The test's premise: its relay, not one of an earlier test's node still letting go, is active on every shard. */
  private static void awaitActiveEverywhere(RelayStats stats) {
    List<String> shards = node.node().services().shards().all().stream().map(PhysicalShard::name).toList();
    Eventually.value("the test's relay active on every shard", Duration.ofSeconds(60), Duration.ofMillis(100),
        () -> stats.status(shards), status -> shards.stream().allMatch(name -> stats.shard(name).active()));
  }

  @AfterAll
  static void stop() {
    if (log != null) log.close();
    if (node != null) node.stop();
  }

  @Test
  void aRelayKilledBetweenPublishAndDeletePublishesAgainUnderTheSameId() {
    JsonObject user = new JsonObject().put("username", MARK).put("email", MARK + "@example.com")
        .put("password", "password-" + MARK);
    var r = client.post("/api/users", null, new JsonObject().put("user", user));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    String userId = Ids.userOf(r.bodyAsJsonObject().getJsonObject("user").getString("token"));

    List<Event> events = log.await(e -> e.subject().equals(userId), seen -> seen.size() >= 2, 30_000);
    log.drain(1_000);
    events = log.matching(e -> e.subject().equals(userId));

    assertTrue(killed.get(), "the hook killed the relay between publish and delete");
    assertEquals(2, events.size(), "published once before the crash, once after: " + events);
    assertEquals(events.get(0).id(), events.get(1).id(), "the same event, the same id");
    assertEquals("surge.user.registered", events.get(1).type());
    Eventually.value("the row deleted once the new active relay published it", Duration.ofSeconds(10),
        Duration.ofMillis(100), () -> outboxRows(Long.parseLong(userId)), rows -> rows == 0);
  }

  private static long outboxRows(long aggregateId) {
    long rows = 0;
    for (PhysicalShard shard : node.node().services().shards().all()) {
      rows += shard.primary().preparedQuery("SELECT count(*) FROM outbox WHERE aggregate_id = $1")
          .execute(Tuple.of(aggregateId)).await().iterator().next().getLong(0);
    }
    return rows;
  }
}
