package surge.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import surge.cache.Caches;
import surge.cache.TwoLevelCache;
import surge.db.PhysicalShard;
import surge.db.Replica;
import surge.db.Shards;
import surge.edge.ConnectionGuard;
import surge.edge.ConnectionTracker;
import surge.events.RelayStats;
import surge.metrics.Metrics;
import surge.ratelimit.Limiter;
import surge.ratelimit.Policy;
import surge.resilience.Breaker;

/**
 * Surge's own meters: functions over the counters and states the node keeps anyway (the operator views read the same
 * ones), evaluated at scrape time only, so they cost the request path nothing. Names (Prometheus form):
 * <ul>
 *   <li>{@code surge_cache_requests_total{cache, result=l1_hit|l2_hit|miss}}, {@code surge_cache_l1_entries{cache}};</li>
 *   <li>{@code surge_ratelimit_decisions_total{policy, decision=allowed|limited}},
 *       {@code surge_ratelimit_degraded} (1 while Redis is skipped);</li>
 *   <li>{@code surge_outbox_backlog_rows{shard}}, {@code surge_outbox_oldest_age_seconds{shard}} (NaN before the
 *       first measurement), {@code surge_outbox_published_total{shard}}, {@code surge_outbox_failures_total{shard}},
 *       {@code surge_outbox_relay_active{shard}} (1 where this node is the shard's active relay);</li>
 *   <li>{@code surge_replica_lag_bytes{shard, replica}}, {@code surge_replica_lag_seconds{shard, replica}},
 *       {@code surge_replica_in_rotation{shard, replica}} (lags NaN before the first check);</li>
 *   <li>{@code surge_stream_connections}: open live-stream connections (see {@link Metrics#streamConnections});</li>
 *   <li>{@code surge_breaker_state{breaker}} (0 closed, 1 half-open, 2 open) and {@code surge_breaker_opened_total{breaker}}
 *       for the circuit breakers {@code redis-cache}, {@code redis-ratelimit}, {@code redis-marks}, {@code kafka} and
 *       {@code redis-timeline};</li>
 *   <li>the timelines' {@code surge_timeline_*} meters (see {@link surge.timeline.TimelineStats});</li>
 *   <li>{@code surge_http_connections{state=idle|reading_head|reading_body|in_flight|streaming}},
 *       {@code surge_http_connection_budget}, {@code surge_http_connections_refused_total{reason}} and
 *       {@code surge_http_connections_closed_total{reason}} (see {@link ConnectionGuard}).</li>
 * </ul>
 */
public final class SurgeMeters {
  private SurgeMeters() {}

  /** Registers every Surge meter of one node. */
  public static void bind(Metrics metrics, Shards shards, Caches caches, Limiter limiter, RelayStats relay,
                          ConnectionGuard edge) {
    if (!metrics.enabled()) return;
    MeterRegistry registry = metrics.registry();
    caches(registry, caches);
    limiter(registry, limiter);
    for (PhysicalShard shard : shards.all()) {
      outbox(registry, shard.name(), relay.shard(shard.name()));
      for (Replica replica : shard.replicas()) replica(registry, shard.name(), replica);
    }
    Gauge.builder("surge.stream.connections", metrics, Metrics::streamConnections)
        .description("Open live-stream (SSE) connections on this node").register(registry);
    breakers(registry, caches, limiter, shards, relay);
    edge(registry, edge);
  }

  private static void edge(MeterRegistry registry, ConnectionGuard edge) {
    for (ConnectionTracker.State state : ConnectionTracker.State.values()) {
      Gauge.builder("surge.http.connections", edge, g -> g.inState(state)).tag("state", state.label())
          .description("Client connections kept open, by what they are doing").register(registry);
    }
    Gauge.builder("surge.http.connection.budget", edge, g -> g.budget().maxConnections())
        .description("Client connections this node keeps at most (edge.maxConnections or derived from the open-files limit)")
        .register(registry);
    for (ConnectionGuard.Refusal why : ConnectionGuard.Refusal.values()) {
      FunctionCounter.builder("surge.http.connections.refused", edge, g -> g.refused(why)).tag("reason", why.label())
          .description("New connections closed at accept, by reason").register(registry);
    }
    for (ConnectionGuard.Closing why : ConnectionGuard.Closing.values()) {
      FunctionCounter.builder("surge.http.connections.closed", edge, g -> g.closed(why)).tag("reason", why.label())
          .description("Connections the node closed because their client was idle or slow, by reason").register(registry);
    }
  }

  private static void breakers(MeterRegistry registry, Caches caches, Limiter limiter, Shards shards, RelayStats relay) {
    List<Breaker> breakers = new ArrayList<>();
    if (caches.redisBreaker() != null) breakers.add(caches.redisBreaker());
    if (limiter.config().enabled()) breakers.add(limiter.breaker());
    breakers.add(shards.marksBreaker());
    for (Breaker b : breakers) breaker(registry, b.name(), b, Breaker::stateCode, Breaker::openedCount);
    // the relay's breaker exists only once the relay verticle started: read through its stats
    breaker(registry, "kafka", relay, RelayStats::kafkaBreakerState, RelayStats::kafkaBreakerOpened);
  }

  /** The breaker meters of a breaker built outside the services {@link #bind} knows (the timelines'). */
  public static void breaker(Metrics metrics, Breaker breaker) {
    breaker(metrics.registry(), breaker.name(), breaker, Breaker::stateCode, Breaker::openedCount);
  }

  private static <T> void breaker(MeterRegistry registry, String name, T source, ToDoubleFunction<T> state,
                                  ToDoubleFunction<T> opened) {
    Gauge.builder("surge.breaker.state", source, state).tag("breaker", name)
        .description("Circuit breaker state: 0 closed, 1 half-open (probing), 2 open (dependency skipped)")
        .register(registry);
    FunctionCounter.builder("surge.breaker.opened", source, opened).tag("breaker", name)
        .description("Times the circuit breaker opened").register(registry);
  }

  private static void caches(MeterRegistry registry, Caches caches) {
    for (TwoLevelCache<?> cache : caches.all()) {
      Tags tags = Tags.of("cache", cache.name());
      String requests = "surge.cache.requests";
      String help = "Cache reads by where they were answered: L1 (in process), L2 (Redis) or neither (loaded)";
      FunctionCounter.builder(requests, cache, TwoLevelCache::l1HitCount).tags(tags).tag("result", "l1_hit")
          .description(help).register(registry);
      FunctionCounter.builder(requests, cache, TwoLevelCache::l2HitCount).tags(tags).tag("result", "l2_hit")
          .description(help).register(registry);
      FunctionCounter.builder(requests, cache, TwoLevelCache::missCount).tags(tags).tag("result", "miss")
          .description(help).register(registry);
      Gauge.builder("surge.cache.l1.entries", cache, TwoLevelCache::l1Size).tags(tags)
          .description("Entries in the in-process cache (estimate)").register(registry);
    }
  }

  private static void limiter(MeterRegistry registry, Limiter limiter) {
    if (!limiter.config().enabled()) return;
    String help = "Rate-limit decisions on this node by policy";
    for (Policy policy : limiter.policies()) {
      FunctionCounter.builder("surge.ratelimit.decisions", limiter, l -> l.allowed(policy))
          .tags("policy", policy.name(), "decision", "allowed").description(help).register(registry);
      FunctionCounter.builder("surge.ratelimit.decisions", limiter, l -> l.limited(policy))
          .tags("policy", policy.name(), "decision", "limited").description(help).register(registry);
    }
    Gauge.builder("surge.ratelimit.degraded", limiter, l -> l.degraded() ? 1 : 0)
        .description("1 while Redis is skipped and each node enforces its share of the quotas").register(registry);
  }

  private static void outbox(MeterRegistry registry, String name, RelayStats.Shard shard) {
    Tags tags = Tags.of("shard", name);
    Gauge.builder("surge.outbox.backlog.rows", shard, s -> s.backlogRows() < 0 ? Double.NaN : s.backlogRows())
        .tags(tags).description("Outbox rows waiting for Kafka at the last measurement").register(registry);
    Gauge.builder("surge.outbox.oldest.age.seconds", shard, s -> s.oldestAgeMs() < 0 ? Double.NaN : s.oldestAgeMs() / 1000.0)
        .tags(tags).description("Age of the oldest waiting outbox row at the last measurement (0: none waits)")
        .register(registry);
    FunctionCounter.builder("surge.outbox.published", shard, RelayStats.Shard::published).tags(tags)
        .description("Events this node's relay published to Kafka").register(registry);
    FunctionCounter.builder("surge.outbox.failures", shard, RelayStats.Shard::failures).tags(tags)
        .description("Relay rounds of this node that failed (Kafka or database)").register(registry);
    Gauge.builder("surge.outbox.relay.active", shard, s -> s.active() ? 1 : 0).tags(tags)
        .description("1 where this node holds the shard's relay lock").register(registry);
  }

  private static void replica(MeterRegistry registry, String shard, Replica replica) {
    Tags tags = Tags.of("shard", shard, "replica", replica.name());
    Gauge.builder("surge.replica.lag.bytes", replica, r -> r.lagBytes() < 0 ? Double.NaN : r.lagBytes()).tags(tags)
        .description("WAL bytes the replica is behind its primary (last check)").register(registry);
    Gauge.builder("surge.replica.lag.seconds", replica, r -> r.lagMs() < 0 ? Double.NaN : r.lagMs() / 1000.0).tags(tags)
        .description("How long the replica is behind its primary (last check)").register(registry);
    Gauge.builder("surge.replica.in.rotation", replica, r -> r.healthy() ? 1 : 0).tags(tags)
        .description("1 while the replica serves reads").register(registry);
  }
}
