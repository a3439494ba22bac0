package surge.events;

import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Row;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import surge.db.DbConfig;
import surge.db.PhysicalShard;
import surge.db.Shards;
import surge.metrics.Metrics;

/**
 * Publishes the outbox of every physical shard to Kafka: one instance per node, one {@link ShardRelay} per shard,
 * one Kafka producer for all of them. Every node runs one; per shard, one of them is active at a time (the others
 * stand by and take over within {@code events.lockRetryMs} when it goes). Also measures each shard's backlog (rows
 * waiting, age of the oldest) every {@code events.backlogCheckMs}, active or not, for {@code /health/events}.
 */
public final class OutboxRelay extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
  /** The sections the relay reads (the aggregate, {@code surge.SurgeConfig}, has them). */
  public interface Config {
    EventsConfig events();

    KafkaConfig kafka();

    DbConfig db();
  }

  private final Config config;
  private final Shards shards;
  private final RelayStats stats;
  private final RelayHooks hooks;
  private final List<ShardRelay> relays = new ArrayList<>();
  private KafkaEvents kafka;
  private long backlogTimer = -1;
  private Metrics metrics;
  private KafkaClientMetrics producerMetrics;

  public OutboxRelay(Config config, Shards shards, RelayStats stats) {
    this(config, shards, stats, RelayHooks.NONE);
  }

  public OutboxRelay(Config config, Shards shards, RelayStats stats, RelayHooks hooks) {
    this.config = config;
    this.shards = shards;
    this.stats = stats;
    this.hooks = hooks;
  }

  /** Publishes the Kafka producer's own metrics ({@code kafka_producer_*}) in {@code metrics}' registry. */
  public OutboxRelay withMetrics(Metrics metrics) {
    this.metrics = metrics;
    return this;
  }

  @Override
  public Future<?> start() {
    // Building a Kafka client parses its config and resolves the bootstrap host names: a worker's job.
    return vertx.executeBlocking(() -> {
          KafkaEvents events = new KafkaEvents(vertx, config.events(), config.kafka(),
              "surge-relay-" + ManagementFactory.getRuntimeMXBean().getName());
          if (metrics != null && metrics.enabled()) producerMetrics = events.bindMetrics(metrics.registry());
          return events;
        })
        .onSuccess(this::startRelays);
  }

  private void startRelays(KafkaEvents kafka) {
    this.kafka = kafka;
    stats.kafkaBreaker = kafka.breaker();
    // Half-open: let a relay's round be the probe now rather than after its back-off; closed: every relay resumes.
    kafka.breaker().onChange(next -> {
      if (next != CircuitBreakerState.OPEN) context.runOnContext(v -> relays.forEach(ShardRelay::resume));
    });
    for (PhysicalShard shard : shards.all()) {
      // Named, so operators see in pg_stat_activity which session holds a shard's relay lock.
      var connect = shard.primaryConnectOptions(config.db()).addProperty("application_name", "surge-outbox-relay");
      ShardRelay relay = new ShardRelay(vertx, shard.name(), connect, config.events(),
          kafka, stats.shard(shard.name()), hooks);
      relays.add(relay);
      relay.start();
    }
    stats.running = true;
    measureBacklog();
    backlogTimer = vertx.setPeriodic(config.events().backlogCheckMs(), id -> measureBacklog());
    // Kafka may be down at start: the relays wait for it (the outbox holds the events), the node still serves.
    kafka.topicsReady().onFailure(err -> log.warn("Kafka not reachable at {} yet ({}); events wait in the outbox",
        config.kafka().bootstrap(), err.getMessage()));
  }

  /** Lets each shard's running round finish, releases the locks, then flushes and closes the producer. */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(backlogTimer);
    stats.running = false;
    List<Future<Void>> stopped = new ArrayList<>();
    for (ShardRelay relay : relays) stopped.add(relay.stop());
    return Future.join(stopped).eventually(() -> kafka == null ? Future.succeededFuture() : kafka.close())
        .andThen(done -> {
          if (producerMetrics != null) producerMetrics.close(); // removes the kafka_producer_* meters
        });
  }

  private void measureBacklog() {
    for (PhysicalShard shard : shards.all()) {
      RelayStats.Shard s = stats.shard(shard.name());
      shard.primary().query(OutboxSql.BACKLOG).execute().onSuccess(rows -> {
        Row row = rows.iterator().next();
        s.backlogRows = row.getLong(0);
        s.oldestAgeMs = row.getLong(1);
        s.backlogCheckedAt = System.currentTimeMillis();
      });
    }
  }
}
