package surge.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Client;
import surge.support.Eventually;
import surge.support.Stack;

/**
 * Timelines while a dependency is away: with Kafka stopped the outbox holds the new article, timelines stop being
 * trusted and the feed is the scatter-gather query (it shows the article); once Kafka is back the consumer catches up,
 * the article reaches the timeline and the feed is served from it again. With Redis stopped the feed still answers,
 * exactly. Never a 5xx.
 *
 * <p>STOPS AND STARTS THE LOCAL STACK'S KAFKA AND REDIS ({@code bin/stack kafka|redis stop|start}).
 */
@ExtendWith(VertxExtension.class)
class TimelineOutageIT {
  static TimelineFixture f;

  @BeforeAll
  static void start(Vertx vertx) {
    f = new TimelineFixture(vertx, Map.of("timeline.maxLagMs", "1000", "events.breakerFailures", "1",
        "events.breakerResetMs", "1000", "events.retryMaxMs", "2000"));
    f.awaitTrusted(60_000);
  }

  @AfterAll
  static void stop() {
    try {
      Stack.run("kafka", "start"); // whatever happened above, the stack leaves with Kafka and Redis running
      Stack.run("redis", "start");
    } finally {
      if (f != null) f.close();
    }
  }

  @Test
  void theFeedFallsBackWhileKafkaIsDownAndTheTimelineCatchesUpAfterwards() {
    JsonObject author = f.client.register("tlko");
    JsonObject reader = f.client.register("tlkor");
    f.follow(reader, author);
    String before = f.client.article(author.getString("token"), Client.unique("Before")).getString("slug");
    long readerId = TimelineFixture.idOf(reader);
    Eventually.until("fanned out", Duration.ofSeconds(30), () -> {
      f.feed(reader);
      return f.timeline(readerId).contains(TimelineFixture.articleId(before));
    });

    Stack.run("kafka", "stop");
    String during = f.client.article(author.getString("token"), Client.unique("During")).getString("slug");
    Eventually.until("timelines distrusted", Duration.ofSeconds(60), () -> !f.status().getBoolean("trusted"));
    long fallbacks = f.reads("fallback");
    assertEquals(List.of(during, before), f.feed(reader), "the query shows what the timeline lacks");
    assertTrue(f.reads("fallback") > fallbacks, "served by the fallback");
    assertTrue(!f.timeline(readerId).contains(TimelineFixture.articleId(during)), "the event is still in the outbox");

    Stack.run("kafka", "start");
    Eventually.until("the consumer caught up", Duration.ofSeconds(180),
        () -> f.timeline(readerId).contains(TimelineFixture.articleId(during)));
    f.awaitTrusted(120_000);
    long served = f.reads("timeline");
    assertEquals(List.of(during, before), f.feed(reader));
    assertTrue(f.reads("timeline") > served, "served from the timeline again");
  }

  @Test
  void theFeedAnswersExactlyWithRedisDown() {
    JsonObject author = f.client.register("tlrd");
    JsonObject reader = f.client.register("tlrdr");
    f.follow(reader, author);
    String slug = f.client.article(author.getString("token"), Client.unique("Redis")).getString("slug");
    Stack.run("redis", "stop");
    try {
      for (int i = 0; i < 5; i++) assertEquals(List.of(slug), f.feed(reader));
    } finally {
      Stack.run("redis", "start");
    }
    f.awaitTrusted(60_000);
    assertEquals(List.of(slug), f.feed(reader));
  }
}
