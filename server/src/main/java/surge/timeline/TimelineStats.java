package surge.timeline;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The timelines' counters and this node's trust state, read by the metrics at scrape time and by
 * {@code GET /health/timeline}: written by the feed's readers (any event loop) and the consumer, hence adders and
 * volatile fields.
 */
public final class TimelineStats {
  final LongAdder fromTimeline = new LongAdder();
  final LongAdder rebuilt = new LongAdder();
  final LongAdder fallback = new LongAdder();
  final LongAdder reused = new LongAdder();
  final LongAdder rangesKept = new LongAdder();
  final LongAdder applied = new LongAdder();
  final LongAdder duplicates = new LongAdder();
  final LongAdder skipped = new LongAdder();
  final LongAdder entriesWritten = new LongAdder();
  /** Why timelines are not trusted now; null while they are. */
  volatile String distrust = "not checked yet";
  /** The largest lag of the partitions this node's consumer holds, and their records still to read. */
  volatile long lagMs;
  volatile long lagRecords;
  volatile int partitionsHeld;

  public boolean trusted() {
    return distrust == null;
  }

  public void servedFromTimeline(boolean afterRebuild) {
    (afterRebuild ? rebuilt : fromTimeline).increment();
  }

  public void servedByFallback() {
    fallback.increment();
  }

  /** A timeline page was the one this node built for the viewer before (nothing on it changed). */
  public void pageReused() {
    reused.increment();
  }

  /** A timeline range was the one this node read before (nothing in it changed since): no Redis command. */
  void rangeKept() {
    rangesKept.increment();
  }

  public JsonObject status() {
    return new JsonObject().put("trusted", trusted()).put("distrust", distrust)
        .put("consumer", new JsonObject().put("partitions", partitionsHeld).put("lagMs", lagMs).put("lagRecords", lagRecords)
            .put("applied", applied.sum()).put("duplicates", duplicates.sum()).put("skipped", skipped.sum())
            .put("entriesWritten", entriesWritten.sum()))
        .put("reads", new JsonObject().put("timeline", fromTimeline.sum()).put("rebuilt", rebuilt.sum())
            .put("fallback", fallback.sum()).put("reused", reused.sum()).put("rangesKept", rangesKept.sum()));
  }

  private static void counters(MeterRegistry registry, String name, String tag, String description,
                               Map<String, LongAdder> byValue) {
    byValue.forEach((value, adder) -> FunctionCounter.builder(name, adder, LongAdder::sum).tag(tag, value)
        .description(description).register(registry));
  }

  /** {@code surge_timeline_*} meters (see docs/feed.md). */
  public void bindTo(MeterRegistry registry) {
    counters(registry, "surge.timeline.feed.reads", "served", "Feed pages, by how they were served",
        Map.of("timeline", fromTimeline, "rebuilt", rebuilt, "fallback", fallback));
    counters(registry, "surge.timeline.events", "result", "Article events the timeline consumer read, by outcome",
        Map.of("applied", applied, "duplicate", duplicates, "skipped", skipped));
    FunctionCounter.builder("surge.timeline.feed.reused", reused, LongAdder::sum)
        .description("Timeline feed pages that were the page built for that viewer before, not built again")
        .register(registry);
    FunctionCounter.builder("surge.timeline.ranges.kept", rangesKept, LongAdder::sum)
        .description("Timeline ranges served as this node read them before (nothing in them changed), without Redis")
        .register(registry);
    FunctionCounter.builder("surge.timeline.entries.written", entriesWritten, LongAdder::sum)
        .description("Timeline entries added by fan-out").register(registry);
    Gauge.builder("surge.timeline.consumer.lag.seconds", this, s -> s.lagMs / 1000.0)
        .description("Largest lag of the article-topic partitions this node's timeline consumer holds").register(registry);
    Gauge.builder("surge.timeline.consumer.lag.records", this, s -> s.lagRecords)
        .description("Records this node's timeline consumer has still to read").register(registry);
    Gauge.builder("surge.timeline.consumer.partitions", this, s -> s.partitionsHeld)
        .description("Article-topic partitions this node's timeline consumer holds").register(registry);
    Gauge.builder("surge.timeline.trusted", this, s -> s.trusted() ? 1 : 0)
        .description("1 while this node serves feeds from timelines, 0 while it falls back to scatter-gather")
        .register(registry);
  }
}
