package surge.events;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import surge.resilience.Breaker;

/**
 * What this node's outbox relay knows, per physical shard: whether it is the shard's active relay, what it
 * published, the backlog it last measured and its last error. Written by the relay's event loop, read by any
 * HTTP verticle ({@code /health/events}); hence concurrent maps and volatile fields.
 */
public final class RelayStats {
  private final Map<String, Shard> shards = new ConcurrentHashMap<>();
  /** Whether a relay runs on this node (set by {@link OutboxRelay} while deployed). */
  volatile boolean running;
  /** The relay's Kafka breaker while it runs; null before. */
  volatile Breaker kafkaBreaker;

  /** The Kafka breaker's state for metrics: 0 closed (or no relay here), 1 half-open, 2 open. */
  public int kafkaBreakerState() {
    Breaker breaker = kafkaBreaker;
    return breaker == null ? 0 : breaker.stateCode();
  }

  /** Times the Kafka breaker opened since the relay started here. */
  public long kafkaBreakerOpened() {
    Breaker breaker = kafkaBreaker;
    return breaker == null ? 0 : breaker.openedCount();
  }

  /**
   * The oldest unpublished outbox event's age over every shard, as this node last measured it: -1 while some shard was
   * not measured yet, {@link Long#MIN_VALUE} when no relay runs here (the timelines' trust check then cannot tell).
   */
  public long oldestAgeMs(List<String> shardNames) {
    if (!running) return Long.MIN_VALUE;
    long oldest = 0;
    for (String name : shardNames) {
      long age = shard(name).oldestAgeMs;
      if (age < 0) return -1;
      oldest = Math.max(oldest, age);
    }
    return oldest;
  }

  /** One shard's numbers. */
  public static final class Shard {
    volatile boolean active;
    volatile long backlogRows = -1;
    volatile long oldestAgeMs = -1;
    volatile long backlogCheckedAt;
    volatile long lastPublishedAt;
    volatile String lastError;
    final LongAdder published = new LongAdder();
    final LongAdder failures = new LongAdder();
    final LongAdder takeovers = new LongAdder();

    /** Rows waiting at the last check; -1 before the first. */
    public long backlogRows() {
      return backlogRows;
    }

    /** Age of the oldest waiting row at the last check, ms; 0 when none waits, -1 before the first check. */
    public long oldestAgeMs() {
      return oldestAgeMs;
    }

    public boolean active() {
      return active;
    }

    public long published() {
      return published.sum();
    }

    /** Failed relay rounds (Kafka or database errors) since start. */
    public long failures() {
      return failures.sum();
    }
  }

  public Shard shard(String name) {
    return shards.computeIfAbsent(name, n -> new Shard());
  }

  /** The operator view: one entry per shard, in the order given. */
  public JsonObject status(List<String> order) {
    JsonArray list = new JsonArray();
    for (String name : order) {
      Shard s = shard(name);
      list.add(new JsonObject()
          .put("shard", name)
          .put("activeHere", s.active)
          .put("backlogRows", s.backlogRows)
          .put("oldestAgeMs", s.oldestAgeMs)
          .put("backlogCheckedAt", s.backlogCheckedAt)
          .put("published", s.published.sum())
          .put("lastPublishedAt", s.lastPublishedAt)
          .put("failures", s.failures.sum())
          .put("becameActive", s.takeovers.sum())
          .put("lastError", s.lastError));
    }
    Breaker breaker = kafkaBreaker;
    return new JsonObject().put("relayRunning", running)
        .put("kafkaBreaker", breaker == null ? null : breaker.status())
        .put("shards", list);
  }
}
