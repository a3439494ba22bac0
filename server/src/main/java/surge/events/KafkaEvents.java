package surge.events;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.NewTopic;
import io.vertx.kafka.client.common.KafkaClientOptions;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import surge.resilience.Breaker;

/**
 * The relay's side of Kafka: one idempotent producer per node and the two event topics.
 *
 * <p>Idempotence with {@code acks=all} and at most 5 requests in flight per connection is what keeps one
 * partition's records in send order through the producer's own retries, so the events of one aggregate (one
 * key, one partition) land in the order the relay sent them. Sends run on the Vert.x Kafka client's worker, never
 * on an event loop; {@code max.block.ms} bounds how long a send may wait for metadata while Kafka is away.
 */
final class KafkaEvents {
  private static final Logger log = LoggerFactory.getLogger(KafkaEvents.class);
  /** CloudEvents Kafka binding, structured mode: the value is the whole envelope. */
  private static final String CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8";

  private final EventsConfig config;
  private final KafkaProducer<String, String> producer;
  private final KafkaAdminClient admin;
  private final Breaker breaker;
  private Future<Void> topics;

  KafkaEvents(Vertx vertx, EventsConfig config, KafkaConfig kafka, String clientId) {
    this.config = config;
    this.producer = producer(vertx, producerConfig(kafka, clientId));
    // Each send's own future carries its failure to the relay; without a handler the client would also report every
    // failed send as an unhandled exception of the context.
    this.producer.exceptionHandler(err -> {});
    this.admin = KafkaAdminClient.create(vertx, adminConfig(kafka, clientId));
    // No timeout of its own: the producer bounds every send (max.block.ms, delivery.timeout.ms), and failing a send
    // the producer may still deliver would only add a duplicate.
    this.breaker = new Breaker(vertx, "kafka", new Breaker.Settings(config.breakerFailures(), -1,
        config.breakerResetMs()), "events wait in the outbox",
        // the producer would answer a metadata request from its cache: the admin client asks the brokers
        () -> admin.listTopics());
  }

  /** The breaker around sends: while it is open the relays send nothing and the outbox holds the events. */
  Breaker breaker() {
    return breaker;
  }

  /** Binds the producer's own metrics (Micrometer reads Kafka's metric registry); close the binder after the producer. */
  KafkaClientMetrics bindMetrics(MeterRegistry registry) {
    KafkaClientMetrics binder = new KafkaClientMetrics(producer.unwrap());
    binder.bindTo(registry);
    return binder;
  }

  /**
   * The producer, traced ALWAYS: its sends run in relay rounds, outside any request, so the clients' default
   * (PROPAGATE) would never make a span. Costs nothing without a tracer (tracing.enabled false).
   */
  private static KafkaProducer<String, String> producer(Vertx vertx, Map<String, String> config) {
    Map<String, Object> settings = new HashMap<>(config);
    return KafkaProducer.create(vertx, new org.apache.kafka.clients.producer.KafkaProducer<String, String>(settings),
        KafkaClientOptions.fromMap(settings, true).setTracingPolicy(TracingPolicy.ALWAYS));
  }

  static Map<String, String> producerConfig(KafkaConfig kafka, String clientId) {
    return Map.ofEntries(
        Map.entry("bootstrap.servers", kafka.bootstrap()),
        Map.entry("client.id", clientId),
        Map.entry("key.serializer", "org.apache.kafka.common.serialization.StringSerializer"),
        Map.entry("value.serializer", "org.apache.kafka.common.serialization.StringSerializer"),
        Map.entry("enable.idempotence", "true"),
        Map.entry("acks", "all"),
        Map.entry("max.in.flight.requests.per.connection", "5"),
        // A few ms of batching costs little latency and saves requests under load.
        Map.entry("linger.ms", "2"),
        // Kafka away: a send waits at most this long for metadata, a record at most delivery.timeout.ms in all;
        // the relay then backs off and retries from the outbox, which is the durable buffer, not producer memory.
        Map.entry("max.block.ms", "5000"),
        Map.entry("request.timeout.ms", "5000"),
        Map.entry("delivery.timeout.ms", "15000"),
        Map.entry("reconnect.backoff.max.ms", "1000"),
        Map.entry("retry.backoff.ms", "100"));
  }

  private static Map<String, String> adminConfig(KafkaConfig kafka, String clientId) {
    return Map.of("bootstrap.servers", kafka.bootstrap(), "client.id", clientId + "-admin",
        "request.timeout.ms", "5000", "default.api.timeout.ms", "5000", "reconnect.backoff.max.ms", "1000");
  }

  static String topicOf(EventsConfig config, String aggregateType) {
    return aggregateType.equals(surge.db.Outbox.USER) ? config.topicUsers() : config.topicArticles();
  }

  /**
   * The topics exist, with the configured partitions if Surge created them. Creating them here, before the first
   * send, keeps the broker's auto-creation (with its own default partition count) out of the picture.
   */
  Future<Void> topicsReady() {
    if (topics == null || topics.failed()) {
      topics = admin.listTopics().compose(this::createMissing).onFailure(err -> topics = null);
    }
    return topics;
  }

  private Future<Void> createMissing(Set<String> existing) {
    List<NewTopic> missing = new ArrayList<>();
    for (String name : List.of(config.topicUsers(), config.topicArticles())) {
      if (!existing.contains(name)) missing.add(new NewTopic(name, config.partitions(), (short) config.replicationFactor()));
    }
    if (missing.isEmpty()) return Future.succeededFuture();
    log.info("creating Kafka topics {} with {} partition(s)", missing.stream().map(NewTopic::getName).toList(),
        config.partitions());
    // Another node may create them at the same moment; what matters is that they exist afterwards.
    return admin.createTopics(missing).recover(err -> admin.listTopics().compose(now ->
        now.containsAll(missing.stream().map(NewTopic::getName).toList())
            ? Future.succeededFuture() : Future.failedFuture(err)));
  }

  /**
   * Sends one event through the breaker; completes when the broker acknowledged it (all in-sync replicas) or the send
   * failed, at once while the breaker is open.
   */
  Future<Void> send(OutboxRow row) {
    return breaker.call(() -> {
      KafkaProducerRecord<String, String> record =
          KafkaProducerRecord.create(topicOf(config, row.aggregateType()), row.aggregateId(), row.payload());
      record.addHeader("content-type", CONTENT_TYPE);
      return producer.send(record).mapEmpty();
    });
  }

  Future<Void> close() {
    return producer.close(5_000).eventually(() -> admin.close(5_000));
  }
}
