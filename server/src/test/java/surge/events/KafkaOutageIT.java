package surge.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
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
import surge.db.PhysicalShard;
import surge.support.Client;
import surge.support.EventLog.Event;
import surge.support.EventLog;
import surge.support.Eventually;
import surge.support.Stack;
import surge.support.TestNode;

/**
 * Issue 5: with Kafka stopped, writes keep succeeding and their events wait in the outbox (the backlog shows them);
 * when Kafka is back, all of them arrive, in order, none lost, duplicates only under the same id.
 *
 * <p>STOPS AND STARTS THE LOCAL STACK'S KAFKA ({@code bin/stack kafka stop|start}).
 */
@ExtendWith(VertxExtension.class)
class KafkaOutageIT {
  static final int WRITES = 100;
  static TestNode.Started node;
  static Client client;
  static EventLog log;

  @BeforeAll
  static void start(Vertx vertx) {
    node = TestNode.start(vertx, Map.of("events.backlogCheckMs", "200", "events.retryMaxMs", "2000",
        "events.breakerFailures", "1", "events.breakerResetMs", "1000"));
    client = new Client(vertx, node.port());
    log = new EventLog(node.config());
  }

  @AfterAll
  static void stop() {
    Stack.run("kafka", "start"); // whatever happened above, the stack leaves with Kafka running
    if (log != null) log.close();
    if (node != null) node.stop();
  }

  @Test
  void writesGoOnWhileKafkaIsDownAndTheirEventsArriveInOrderWhenItReturns() {
    JsonObject author = client.register("kout");
    String token = author.getString("token");
    String slug = client.article(token, "Outage " + UUID.randomUUID()).getString("slug");
    String articleId = Ids.articleOf(slug);
    log.await(e -> e.subject().equals(articleId), seen -> !seen.isEmpty(), 30_000); // the relay is warm

    Stack.run("kafka", "stop");
    List<Long> commentIds = new ArrayList<>();
    for (int i = 0; i < WRITES; i++) {
      var r = client.post("/api/articles/" + slug + "/comments", token,
          new JsonObject().put("comment", new JsonObject().put("body", "while Kafka is down #" + i)));
      assertEquals(201, r.statusCode(), r.bodyAsString());
      commentIds.add(r.bodyAsJsonObject().getJsonObject("comment").getLong("id"));
    }
    Set<String> waiting = outboxIds(articleId);
    assertEquals(WRITES, waiting.size(), "every write left its event in the outbox");
    awaitBacklogAtLeast(WRITES);
    // Long enough for the producer to give up on a send (delivery.timeout.ms): the relay's failure path, not only
    // the producer's own buffering, is what carries the events across this outage.
    awaitRelayFailure();
    JsonObject breaker = awaitBreaker(b -> b.getLong("opened") >= 1, "the Kafka breaker opened");
    assertTrue(breaker.getString("lastFailure") != null, breaker.encode());

    Stack.run("kafka", "start");
    List<Event> arrived = log.await(e -> e.subject().equals(articleId) && e.type().equals("surge.comment.added"),
        seen -> EventLog.firstOccurrences(seen).size() >= WRITES, 120_000);
    log.drain(500);
    arrived = log.matching(e -> e.subject().equals(articleId) && e.type().equals("surge.comment.added"));

    List<Event> firsts = EventLog.firstOccurrences(arrived);
    assertEquals(waiting, new HashSet<>(firsts.stream().map(Event::id).toList()), "exactly the waiting events, none lost");
    for (Event e : arrived) assertTrue(waiting.contains(e.id()), "a duplicate carries an id of the set: " + e.id());
    assertEquals(commentIds, firsts.stream().map(e -> Long.parseLong(e.data().getString("commentId"))).toList(),
        "in the order they were written");
    awaitOutboxEmpty(articleId);
    awaitBreaker(b -> b.getString("state").equals("closed"), "the Kafka breaker closed again");
  }

  private static JsonObject awaitBreaker(java.util.function.Predicate<JsonObject> condition, String what) {
    return Eventually.value(what, Duration.ofSeconds(30),
        () -> client.get("/health/events").bodyAsJsonObject().getJsonObject("kafkaBreaker"),
        breaker -> breaker != null && condition.test(breaker));
  }

  private static Set<String> outboxIds(String aggregateId) {
    Set<String> ids = new HashSet<>();
    for (PhysicalShard shard : node.node().services().shards().all()) {
      for (Row row : shard.primary().preparedQuery("SELECT payload->>'id' FROM outbox WHERE aggregate_id = $1")
          .execute(Tuple.of(Long.parseLong(aggregateId))).await()) {
        ids.add(row.getString(0));
      }
    }
    return ids;
  }

  private static void awaitBacklogAtLeast(int rows) {
    Eventually.value("a backlog of " + rows + " rows", Duration.ofSeconds(10), Duration.ofMillis(100),
        () -> client.get("/health/events").bodyAsJsonObject(), status -> status.getJsonArray("shards").stream()
            .mapToLong(s -> ((JsonObject) s).getLong("backlogRows")).max().orElse(-1) >= rows);
  }

  private static void awaitRelayFailure() {
    Eventually.value("a send failed while Kafka was down", Duration.ofSeconds(60), Duration.ofMillis(200),
        () -> client.get("/health/events").bodyAsJsonObject(),
        status -> status.getJsonArray("shards").stream().mapToLong(s -> ((JsonObject) s).getLong("failures")).sum() > 0);
  }

  private static void awaitOutboxEmpty(String aggregateId) {
    Eventually.value("published rows deleted", Duration.ofSeconds(10), Duration.ofMillis(100),
        () -> outboxIds(aggregateId), Set::isEmpty);
  }

}
