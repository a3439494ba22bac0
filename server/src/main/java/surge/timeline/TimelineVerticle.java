package surge.timeline;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import surge.events.EventsConfig;
import surge.events.KafkaConfig;

/**
 * The node's part of the timelines, one per node: every {@code timeline.lagReportMs} it re-checks whether this node
 * may trust timelines (every partition's consumer reported lately and is not far behind, the outbox is not waiting
 * for Kafka) and re-reads the hybrid authors; with {@code timeline.consumer} it also runs this node's member of the
 * consumer group {@code timeline.group} on the article topic: poll, apply each record in order, commit, poll again.
 * A record that cannot be applied (Redis or PostgreSQL away) makes its partitions seek back to it, so it is read
 * again after a pause; applying twice changes nothing.
 */
public final class TimelineVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(TimelineVerticle.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final long RETRY_MS = 1000;
  /** The sections the consumer reads (the aggregate, {@code surge.SurgeConfig}, has them). */
  public interface Config {
    EventsConfig events();

    KafkaConfig kafka();
  }

  private final Config config;
  private final Timelines timelines;
  private final TimelineConsumer applier;
  /** The oldest outbox event's age this node knows of ({@link TimelineTrust#distrust}). */
  private final LongSupplier outboxAgeMs;
  private final Map<Integer, Long> caughtUpAt = new HashMap<>();
  private KafkaConsumer<String, String> consumer;
  private int partitions;
  private long timer = -1;
  private volatile boolean stopped;

  public TimelineVerticle(Config config, Timelines timelines, TimelineRepository repository, LongSupplier outboxAgeMs) {
    this.config = config;
    this.timelines = timelines;
    this.applier = new TimelineConsumer(timelines, repository);
    this.outboxAgeMs = outboxAgeMs;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(timelines.config().lagReportMs(), id -> tick());
    if (!timelines.config().consumer()) return Future.succeededFuture();
    // Building a Kafka client parses its config and resolves the bootstrap host names: a worker's job.
    return vertx.executeBlocking(() -> KafkaConsumer.<String, String>create(vertx, consumerConfig()))
        .compose(created -> {
          consumer = created;
          consumer.exceptionHandler(err -> log.debug("timeline consumer: {}", err.toString()));
          return consumer.subscribe(config.events().topicArticles());
        })
        .onSuccess(done -> poll());
  }

  private Map<String, String> consumerConfig() {
    return Map.ofEntries(Map.entry("bootstrap.servers", config.kafka().bootstrap()),
        Map.entry("group.id", timelines.config().group()),
        Map.entry("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer"),
        Map.entry("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer"),
        // Offsets move only once a batch is applied: at-least-once, and applying is idempotent.
        Map.entry("enable.auto.commit", "false"),
        // A new group starts at the end: no timeline is read before the consumers report (trust), and a timeline
        // built after that is rebuilt from the database, which has everything older.
        Map.entry("auto.offset.reset", "latest"),
        Map.entry("max.poll.records", "256"),
        Map.entry("session.timeout.ms", "10000"), Map.entry("heartbeat.interval.ms", "3000"),
        Map.entry("reconnect.backoff.max.ms", "1000"), Map.entry("request.timeout.ms", "5000"),
        Map.entry("default.api.timeout.ms", "5000"));
  }

  private void poll() {
    if (stopped) return;
    consumer.poll(POLL)
        .compose(records -> applyAll(records).compose(done -> records.isEmpty() ? Future.succeededFuture() : consumer.commit()))
        .onComplete(done -> {
          if (done.failed() && !stopped) log.debug("timeline consumer round failed: {}", done.cause().toString());
          // a failed round (Kafka away, a record that could not be applied) waits before the next poll
          if (done.succeeded()) poll();
          else vertx.setTimer(RETRY_MS, id -> poll());
        });
  }

  /**
   * Applies the records one after another; on a failure seeks their partitions back and fails, so that nothing is
   * committed and the next poll waits {@link #RETRY_MS}.
   */
  private Future<Void> applyAll(KafkaConsumerRecords<String, String> records) {
    Future<Void> applied = Future.succeededFuture();
    for (int i = 0; i < records.size(); i++) {
      KafkaConsumerRecord<String, String> record = records.recordAt(i);
      applied = applied.compose(done -> applier.apply(record));
    }
    return applied.recover(failure -> seekBack(records, failure).compose(done -> Future.failedFuture(failure)));
  }

  /**
   * Every partition of the batch goes back to its first record of the batch: read again after the pause. Records
   * applied already are skipped by their event id ({@link Timelines#seen}).
   */
  private Future<Void> seekBack(KafkaConsumerRecords<String, String> records, Throwable failure) {
    log.warn("timeline consumer: {}; the batch is read again in {} ms", failure.toString(), RETRY_MS);
    Map<TopicPartition, Long> first = new HashMap<>();
    for (int i = 0; i < records.size(); i++) {
      KafkaConsumerRecord<String, String> r = records.recordAt(i);
      first.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
    }
    Future<Void> seeks = Future.succeededFuture();
    for (var e : first.entrySet()) seeks = seeks.compose(v -> consumer.seek(e.getKey(), e.getValue()));
    return seeks;
  }

  /**
   * Every round: report this consumer's lag, then decide trust from every consumer's reports (this node's own
   * report included, so a node whose consumer cannot reach Kafka stops trusting within a few rounds).
   */
  private void tick() {
    Future<Void> reported = consumer == null ? Future.succeededFuture() : reportLag()
        .otherwise(err -> null);
    reported.compose(done -> timelines.refreshHybrid())
        .compose(done -> timelines.lagReports())
        .onSuccess(reports -> timelines.stats().distrust = TimelineTrust.distrust(reports, outboxAgeMs.getAsLong(),
            System.currentTimeMillis(), timelines.config().maxLagMs(), staleMs()))
        .onFailure(err -> timelines.stats().distrust = "timeline state unreadable: " + err.getMessage());
  }

  /** A report older than this means its consumer is gone, stuck or cut off from Kafka. */
  private long staleMs() {
    return 3L * timelines.config().lagReportMs() + 1000;
  }

  private Future<Void> reportLag() {
    Future<Integer> count = partitions > 0 ? Future.succeededFuture(partitions)
        : consumer.partitionsFor(config.events().topicArticles()).map(list -> partitions = list.size());
    return count.compose(n -> consumer.assignment()).compose(held -> held.isEmpty() ? none()
        : consumer.endOffsets(held).compose(ends -> lags(held, ends)));
  }

  private Future<Void> none() {
    timelines.stats().partitionsHeld = 0;
    timelines.stats().lagMs = 0;
    timelines.stats().lagRecords = 0;
    return Future.succeededFuture();
  }

  private Future<Void> lags(Set<TopicPartition> held, Map<TopicPartition, Long> ends) {
    long now = System.currentTimeMillis();
    Map<Integer, Long> lagMs = new HashMap<>();
    long[] records = {0};
    Future<Void> positions = Future.succeededFuture();
    for (TopicPartition tp : held) {
      positions = positions.compose(v -> consumer.position(tp).map(position -> {
        long end = ends.getOrDefault(tp, position);
        if (position >= end) caughtUpAt.put(tp.getPartition(), now);
        lagMs.put(tp.getPartition(), TimelineTrust.lagMs(position, end, caughtUpAt.computeIfAbsent(tp.getPartition(), p -> now), now));
        records[0] += Math.max(0, end - position);
        return null;
      }));
    }
    return positions.compose(v -> {
      timelines.stats().partitionsHeld = held.size();
      timelines.stats().lagMs = lagMs.values().stream().mapToLong(Long::longValue).max().orElse(0);
      timelines.stats().lagRecords = records[0];
      return timelines.reportLag(lagMs, partitions);
    });
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    return consumer == null ? Future.succeededFuture() : consumer.close();
  }
}
