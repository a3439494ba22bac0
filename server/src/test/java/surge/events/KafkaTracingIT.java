package surge.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.Vertx;
import java.util.List;
import org.junit.jupiter.api.Test;
import surge.db.Outbox;
import surge.observability.Tracing;
import surge.observability.TracingConfig;

/**
 * With tracing on, each send of the relay's producer is a PRODUCER span, although it runs outside any request (the
 * producer's tracing policy is ALWAYS). Uses topics of its own, so no consumer of the event topics sees its record.
 */
class KafkaTracingIT {
  @Test
  void eachSendIsAProducerSpan() throws Exception {
    EventsConfig config = KafkaEventsTest.events("--events.topicUsers=surge.test.tracing.users",
        "--events.topicArticles=surge.test.tracing.articles", "--events.partitions=1");
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    Tracing tracing = Tracing.with(TracingConfig.OFF.withEnabled(), SimpleSpanProcessor.create(spans));
    Vertx vertx = tracing.install(Vertx.builder()).build();
    try {
      KafkaEvents kafka = new KafkaEvents(vertx, config, KafkaEventsTest.node().kafka(), "surge-tracing-test");
      try {
        kafka.topicsReady().await();
        kafka.send(new OutboxRow(1, Outbox.USER, "tracing-test", "{}")).await();
      } finally {
        kafka.close().await();
      }
      List<SpanData> producers = spans.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.PRODUCER).toList();
      assertEquals(1, producers.size(), "one span per send: " + spans.getFinishedSpanItems());
      String attributes = producers.get(0).getAttributes().toString();
      assertTrue(attributes.contains("surge.test.tracing.users"), "the topic is on the span: " + attributes);
    } finally {
      vertx.close().await();
      tracing.close();
    }
  }
}
