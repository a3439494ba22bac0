package surge.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import surge.SurgeConfig;
import surge.config.ConfigException;
import surge.config.ConfigTree;
import surge.db.Outbox;

/** The producer settings that the relay's ordering and durability promises rest on, and topic routing. */
class KafkaEventsTest {
  static EventsConfig events(String... args) {
    // The environment as for the suite's nodes (SURGE_KAFKA_BOOTSTRAP names the stack's broker); arguments win.
    return SurgeConfig.from(ConfigTree.load(Path.of("conf/surge.json"), System.getenv(), List.of(args))).events();
  }

  static SurgeConfig node(String... args) {
    return SurgeConfig.from(ConfigTree.load(Path.of("conf/surge.json"), System.getenv(), List.of(args)));
  }

  @Test
  void theProducerIsIdempotentWaitsForAllReplicasAndKeepsAtMostFiveRequestsInFlight() {
    Map<String, String> p = KafkaEvents.producerConfig(node("--kafka.bootstrap=k1:9092,k2:9092").kafka(), "c1");
    assertEquals("true", p.get("enable.idempotence"));
    assertEquals("all", p.get("acks"));
    assertEquals("5", p.get("max.in.flight.requests.per.connection"));
    assertEquals("k1:9092,k2:9092", p.get("bootstrap.servers"));
    long delivery = Long.parseLong(p.get("delivery.timeout.ms"));
    long request = Long.parseLong(p.get("request.timeout.ms")) + Long.parseLong(p.get("linger.ms"));
    assertTrue(delivery >= request, "Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms");
  }

  @Test
  void userEventsGoToTheUsersTopicAndEverythingElseToTheArticlesTopic() {
    EventsConfig config = events("--events.topicUsers=u", "--events.topicArticles=a");
    assertEquals("u", KafkaEvents.topicOf(config, Outbox.USER));
    assertEquals("a", KafkaEvents.topicOf(config, Outbox.ARTICLE));
  }

  @Test
  void bothTopicsMustBeNamedAndDifferent() {
    assertThrows(ConfigException.class, () -> events("--events.topicUsers=same", "--events.topicArticles=same"));
    assertThrows(ConfigException.class, () -> events("--events.topicUsers="));
  }
}
