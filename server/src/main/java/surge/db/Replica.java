package surge.db;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One streaming replica of a physical shard: a pool for reads, a one-connection pool for health
 * checks and replay-position probes, and what the last check found. Shared by every event loop.
 */
public final class Replica {
  private static final Logger log = LoggerFactory.getLogger(Replica.class);
  private static final String REPLAY = "SELECT pg_last_wal_replay_lsn()::text, pg_is_in_recovery()";
  static final long PROBE_TIMEOUT_MS = 1000;

  final ShardMap.Endpoint endpoint;
  final Pool pool;
  private final Pool probes;
  private final String shard;
  private final ReplicaHealth.Bounds bounds;
  final LongAdder reads = new LongAdder();

  private ReplicaHealth health; // guarded by this
  private Future<Long> refreshing; // guarded by this
  private volatile boolean healthy;
  private boolean joinedOnce; // guarded by this
  private volatile long replayed = Lsn.NONE;
  private volatile long lagBytes = -1;
  private volatile long lagMs = -1;
  private volatile long lastCheckMs;
  private volatile String lastError;

  Replica(String shard, ShardMap.Endpoint endpoint, Pool pool, Pool probes, ReplicaHealth.Bounds bounds) {
    this.shard = shard;
    this.endpoint = endpoint;
    this.pool = pool;
    this.probes = probes;
    this.bounds = bounds;
    this.health = ReplicaHealth.starting(bounds);
  }

  /** In rotation: reads may go here. */
  public boolean healthy() {
    return healthy;
  }

  /** {@code host:port}. */
  public String name() {
    return endpoint.toString();
  }

  /** WAL bytes behind the primary at the last check; -1 before the first. */
  public long lagBytes() {
    return lagBytes;
  }

  /** How long behind the primary at the last check, ms; -1 before the first. */
  public long lagMs() {
    return lagMs;
  }

  /** The replay position last seen; only grows while the replica runs. */
  long replayed() {
    return replayed;
  }

  /** The replica's replay position now; concurrent callers share one query. */
  Future<Long> refresh() {
    Future<Long> probe;
    synchronized (this) {
      if (refreshing != null) return refreshing;
      probe = probes.query(REPLAY).execute().timeout(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS).map(Replica::replayOf);
      refreshing = probe;
    }
    probe.onComplete(done -> {
      synchronized (this) {
        if (refreshing == probe) refreshing = null;
      }
      if (done.succeeded()) replayed = done.result();
    });
    return probe;
  }

  private static long replayOf(RowSet<Row> rows) {
    Row row = rows.iterator().next();
    if (!Boolean.TRUE.equals(row.getBoolean(1)) || row.getString(0) == null) {
      throw new IllegalStateException("not a standby in recovery (promoted?)");
    }
    return Lsn.parse(row.getString(0));
  }

  /** A health check answered. */
  void checked(long nowMs, long lagBytes, long lagMs) {
    this.lagBytes = lagBytes;
    this.lagMs = lagMs;
    this.lastCheckMs = nowMs;
    boolean was;
    boolean is;
    boolean rejoin;
    synchronized (this) {
      was = health.healthy();
      health = health.answered(lagBytes, lagMs, bounds);
      is = health.healthy();
      healthy = is;
      rejoin = joinedOnce;
      if (is) joinedOnce = true;
    }
    if (lagBytes > bounds.maxLagBytes() || lagMs > bounds.maxLagMs()) {
      lastError = "lagging: " + lagBytes + " bytes, " + lagMs + " ms";
    } else if (is) {
      lastError = null;
    }
    if (was && !is) {
      log.warn("replica {} of shard {} leaves rotation: lag {} bytes, {} ms (bounds {} bytes, {} ms)",
          endpoint, shard, lagBytes, lagMs, bounds.maxLagBytes(), bounds.maxLagMs());
    } else if (!was && is && rejoin) {
      log.warn("replica {} of shard {} rejoins rotation: lag {} bytes, {} ms", endpoint, shard, lagBytes, lagMs);
    } else if (!was && is) {
      log.info("replica {} of shard {} is in rotation: lag {} bytes, {} ms", endpoint, shard, lagBytes, lagMs);
    }
  }

  /** A check or a read found the replica unreachable or unusable: out of rotation at once. */
  void down(long nowMs, String why) {
    boolean was;
    synchronized (this) {
      was = health.healthy();
      health = health.failed();
      healthy = false;
    }
    lastError = why;
    lastCheckMs = nowMs;
    if (was) log.warn("replica {} of shard {} leaves rotation: {}", endpoint, shard, why);
  }

  JsonObject status() {
    return new JsonObject()
        .put("endpoint", endpoint.toString())
        .put("healthy", healthy)
        .put("replayLsn", replayed == Lsn.NONE ? null : Lsn.format(replayed))
        .put("lagBytes", lagBytes)
        .put("lagMs", lagMs)
        .put("lastCheck", lastCheckMs == 0 ? null : Instant.ofEpochMilli(lastCheckMs).toString())
        .put("lastError", lastError)
        .put("reads", reads.sum());
  }

  Future<Void> close() {
    return Future.join(pool.close(), probes.close()).mapEmpty();
  }
}
