package surge.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import surge.core.ApiError;
import surge.core.Viewer;

/**
 * One physical PostgreSQL database holding some logical shards: a primary pool for writes and
 * transactions, and its streaming replicas for reads (design §3).
 *
 * <p>Reads go through {@link #read}. A request that writes reads from the primary (see
 * {@link Viewer#writing}). Otherwise an anonymous viewer, or one with no recent write here, reads
 * from a healthy replica (round robin); a viewer who wrote here recently reads from a replica that
 * has replayed past their mark (see {@link ReadYourWrites}), else from the primary. A replica that
 * fails a read is taken out of rotation and the read runs again on the primary, so a replica going
 * away costs latency, never an error.
 */
public final class PhysicalShard {
  private static final String PRIMARY_POSITION = "SELECT pg_current_wal_lsn()::text";
  /**
   * The insert position, not the write position: with {@code synchronous_commit = off} a committed
   * transaction's commit record may not be written yet, and a mark below it would let a replica
   * that lacks the write serve the writer.
   */
  private static final String WRITE_MARK = "SELECT pg_current_wal_insert_lsn()::text";
  /** How long a read waits for a replica's fresh replay position before it takes the primary. */
  private static final long READ_PROBE_WAIT_MS = 250;
  private static final int PROBE_POOL_SIZE = 1;
  private static final int REPLICA_CONNECT_TIMEOUT_MS = 1000;

  private final ShardMap.Physical spec;
  private final Pool primary;
  private final List<Replica> replicas;
  private final ReadYourWrites marks;
  private final LagClock lagClock;
  private final AtomicInteger nextReplica = new AtomicInteger();
  private final AtomicBoolean checking = new AtomicBoolean();
  private final Counters counters = new Counters();
  private volatile long primaryLsn = Lsn.NONE;
  private volatile String primaryError;

  PhysicalShard(ShardMap.Physical spec, Pool primary, List<Replica> replicas, ReadYourWrites marks, long lagRetainMs) {
    this.spec = spec;
    this.primary = primary;
    this.replicas = List.copyOf(replicas);
    this.marks = marks;
    this.lagClock = new LagClock(lagRetainMs);
  }

  static PhysicalShard connect(Vertx vertx, DbConfig db, ShardMap.Physical spec, ReadYourWrites marks) {
    ReplicaHealth.Bounds bounds = bounds(db);
    List<Replica> replicas = new ArrayList<>();
    for (ShardMap.Endpoint endpoint : spec.replicas()) {
      String name = spec.name() + "-replica-" + endpoint.host() + "-" + endpoint.port();
      replicas.add(new Replica(spec.name(), endpoint,
          pool(vertx, db, endpoint, spec.database(), name, db.poolSize(), REPLICA_CONNECT_TIMEOUT_MS),
          pool(vertx, db, endpoint, spec.database(), name + "-probe", PROBE_POOL_SIZE, REPLICA_CONNECT_TIMEOUT_MS),
          bounds));
    }
    Pool primary = pool(vertx, db, spec.primary(), spec.database(), spec.name() + "-primary", db.poolSize(),
        0);
    return new PhysicalShard(spec, primary, replicas, marks, Math.max(10_000L, 4L * db.replicaMaxLagMs()));
  }

  static ReplicaHealth.Bounds bounds(DbConfig db) {
    return new ReplicaHealth.Bounds(db.replicaMaxLagBytes(), db.replicaMaxLagMs(), 2);
  }

  /** A pool; {@code connectTimeoutMs} 0 keeps the driver's network defaults. */
  static Pool pool(Vertx vertx, DbConfig db, ShardMap.Endpoint endpoint, String database, String name,
                   int size, int connectTimeoutMs) {
    // the metrics name labels this pool's query series (vertx_sql_*, label namespace) like its pool series
    PgConnectOptions connect = connectOptions(db, endpoint, database);
    connect.setMetricsName("surge-" + name);
    PoolOptions options = new PoolOptions()
        .setMaxSize(size)
        .setMaxWaitQueueSize(db.poolMaxWaitQueue())
        // No acquisition timer: in vertx-sql-client 5.0.7 a connection handed to a waiter at the moment its timer
        // fires is lost to the pool for good (eclipse-vertx/vertx-sql-client#1567, fixed upstream after the BOM's
        // 5.0.7), so a pool that ever timed a waiter out shrinks until it serves nothing. Waiting is bounded instead
        // by db.poolMaxWaitQueue (refused at once when full) and http.requestTimeoutMs (503 to the client).
        .setConnectionTimeout(0)
        .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
        .setName("surge-" + name);
    var builder = PgBuilder.pool().with(options);
    // Replicas: a short connect timeout, so that a replica that went away is noticed fast.
    if (connectTimeoutMs > 0) builder = builder.with(new NetClientOptions().setConnectTimeout(connectTimeoutMs).setTcpNoDelay(true));
    return builder.connectingTo(connect).using(vertx).build();
  }

  /** How to reach one database of a shard; for connections outside the pools (the outbox relay's). */
  static PgConnectOptions connectOptions(DbConfig db, ShardMap.Endpoint endpoint, String database) {
    return new PgConnectOptions()
        .setHost(endpoint.host()).setPort(endpoint.port()).setDatabase(database)
        .setUser(db.user()).setPassword(db.password())
        .setCachePreparedStatements(true)
        .setPreparedStatementCacheMaxSize(db.preparedStatementCacheSize())
        .setPipeliningLimit(db.pipeliningLimit());
  }

  /** Options for a dedicated connection to this shard's primary. */
  public PgConnectOptions primaryConnectOptions(DbConfig db) {
    return connectOptions(db, spec.primary(), spec.database());
  }

  public String name() {
    return spec.name();
  }

  public ShardMap.Physical spec() {
    return spec;
  }

  /** Writes and transactions. After a write commits, call {@link #wrote}. */
  public Pool primary() {
    return primary;
  }

  /**
   * Runs a read where this viewer may read: a replica when that is safe, else the primary. The
   * query may run twice (on a replica that fails, then on the primary), so it must only read.
   */
  public <T> Future<T> read(Viewer viewer, Function<SqlClient, Future<T>> query) {
    if (replicas.isEmpty()) return onPrimary(query);
    if (viewer.writing()) {
      counters.writingRequest.increment();
      return onPrimary(query);
    }
    if (viewer.isAnonymous()) return onAnyReplica(query);
    return marks.markFor(viewer, name()).compose(mark -> route(mark, query));
  }

  /**
   * Called after a write the viewer made here committed, before the response goes out: records
   * the primary's WAL position so that the viewer's next reads, on any node, see the write.
   */
  public Future<Void> wrote(Viewer viewer) {
    counters.writes.increment();
    if (viewer.isAnonymous() || replicas.isEmpty()) return Future.succeededFuture();
    return primary.query(WRITE_MARK).execute()
        .map(rows -> Lsn.parse(rows.iterator().next().getString(0)))
        .otherwise(Lsn.PRIMARY) // position unknown: this user reads from the primary until the mark expires
        .compose(lsn -> marks.record(viewer, name(), lsn));
  }

  private <T> Future<T> route(long mark, Function<SqlClient, Future<T>> query) {
    if (mark == Lsn.NONE) return onAnyReplica(query);
    if (mark == Lsn.PRIMARY) {
      counters.unknownMark.increment();
      return markedOnPrimary(query);
    }
    Replica best = null;
    int start = nextReplica.getAndIncrement();
    for (int i = 0; i < replicas.size(); i++) {
      Replica replica = replicas.get(Math.floorMod(start + i, replicas.size()));
      if (!replica.healthy()) continue;
      if (Lsn.reached(replica.replayed(), mark)) return onReplica(replica, query, true);
      if (best == null || Long.compareUnsigned(replica.replayed(), best.replayed()) > 0) best = replica;
    }
    if (best == null) {
      counters.noReplica.increment();
      return markedOnPrimary(query);
    }
    Replica candidate = best;
    counters.probes.increment();
    return candidate.refresh().timeout(READ_PROBE_WAIT_MS, TimeUnit.MILLISECONDS).transform(probe ->
        probe.succeeded() && Lsn.reached(probe.result(), mark) && candidate.healthy()
            ? onReplica(candidate, query, true)
            : markedOnPrimary(query));
  }

  private <T> Future<T> onAnyReplica(Function<SqlClient, Future<T>> query) {
    int start = nextReplica.getAndIncrement();
    for (int i = 0; i < replicas.size(); i++) {
      Replica replica = replicas.get(Math.floorMod(start + i, replicas.size()));
      if (replica.healthy()) return onReplica(replica, query, false);
    }
    counters.noReplica.increment();
    return onPrimary(query);
  }

  private <T> Future<T> onReplica(Replica replica, Function<SqlClient, Future<T>> query, boolean marked) {
    counters.replicaReads.increment();
    if (marked) counters.markedOnReplica.increment();
    replica.reads.increment();
    return query.apply(replica.pool).recover(failure -> {
      if (!worthRetrying(failure)) return Future.failedFuture(failure);
      if (replicaBroken(failure)) replica.down(System.currentTimeMillis(), "read failed: " + failure);
      counters.fallbacks.increment();
      return onPrimary(query);
    });
  }

  private <T> Future<T> markedOnPrimary(Function<SqlClient, Future<T>> query) {
    counters.markedOnPrimary.increment();
    return onPrimary(query);
  }

  private <T> Future<T> onPrimary(Function<SqlClient, Future<T>> query) {
    counters.primaryReads.increment();
    return query.apply(primary);
  }

  /**
   * Failures the primary may not have: the replica is unreachable, shutting down, out of
   * connections, or cancelled the query for a recovery conflict. Errors in the query or its data
   * would fail on the primary too, and API errors are answers.
   */
  static boolean worthRetrying(Throwable failure) {
    if (failure instanceof ApiError) return false;
    if (!(failure instanceof PgException pg)) return true;
    String state = pg.getSqlState();
    return state != null && (replicaBrokenState(state) || state.equals("40001"));
  }

  /** Whether a failed read says the replica itself is unusable (rather than one query's bad luck). */
  static boolean replicaBroken(Throwable failure) {
    if (failure instanceof ApiError) return false;
    if (!(failure instanceof PgException pg)) return true;
    return pg.getSqlState() != null && replicaBrokenState(pg.getSqlState());
  }

  /** 08 connection exception, 53 insufficient resources, 57 operator intervention (shutdown, crash). */
  private static boolean replicaBrokenState(String state) {
    return state.startsWith("08") || state.startsWith("53") || state.startsWith("57");
  }

  /**
   * One health check (the replica monitor calls it every {@code db.replicaCheckMs}): the primary's
   * WAL position, then each replica's replay position, lag and rotation.
   */
  Future<Void> check() {
    if (replicas.isEmpty() || !checking.compareAndSet(false, true)) return Future.succeededFuture();
    return primary.query(PRIMARY_POSITION).execute()
        .timeout(Replica.PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .map(rows -> {
          long lsn = Lsn.parse(rows.iterator().next().getString(0));
          primaryLsn = lsn;
          primaryError = null;
          lagClock.primaryAt(System.currentTimeMillis(), lsn);
          return lsn;
        })
        .otherwise(failure -> {
          primaryError = failure.toString();
          return lagClock.latest(); // lag against the last position seen
        })
        .compose(position -> {
          List<Future<Void>> checks = new ArrayList<>();
          for (Replica replica : replicas) checks.add(check(replica, position));
          return Future.join(checks);
        })
        .<Void>mapEmpty()
        .onComplete(done -> checking.set(false));
  }

  private Future<Void> check(Replica replica, long primaryPosition) {
    return replica.refresh().transform(probe -> {
      long now = System.currentTimeMillis();
      if (probe.succeeded()) {
        long replayed = probe.result();
        replica.checked(now, Lsn.distance(primaryPosition, replayed), lagClock.lagMs(now, replayed));
      } else {
        replica.down(now, "health check failed: " + probe.cause());
      }
      return Future.<Void>succeededFuture();
    });
  }

  /** What the operator view shows: endpoints, replica health and lag, counters. */
  JsonObject status(int logicalShards) {
    JsonArray replicaStatus = new JsonArray();
    for (Replica replica : replicas) replicaStatus.add(replica.status());
    return new JsonObject()
        .put("name", name())
        .put("primary", spec.primary().toString())
        .put("database", spec.database())
        .put("logicalShards", logicalShards)
        .put("primaryLsn", primaryLsn == Lsn.NONE ? null : Lsn.format(primaryLsn))
        .put("primaryError", primaryError)
        .put("replicas", replicaStatus)
        .put("counters", counters.toJson());
  }

  Counters counters() {
    return counters;
  }

  /** The shard's streaming replicas (fixed at start). */
  public List<Replica> replicas() {
    return replicas;
  }

  public Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    closing.add(primary.close());
    for (Replica replica : replicas) closing.add(replica.close());
    return Future.join(closing).mapEmpty();
  }

  /** Per-shard counters since start: queries by role, and where the reads of recent writers went. */
  static final class Counters {
    /** Reads run on the primary (including fallbacks). */
    final LongAdder primaryReads = new LongAdder();
    /** Reads started on a replica. */
    final LongAdder replicaReads = new LongAdder();
    /** Committed writes reported through {@link #wrote}. */
    final LongAdder writes = new LongAdder();
    /** Reads of viewers with a mark here that a replica served. */
    final LongAdder markedOnReplica = new LongAdder();
    /** Reads of viewers with a mark here that went to the primary (no replica had caught up, or the mark was unknown). */
    final LongAdder markedOnPrimary = new LongAdder();
    /** Reads sent to the primary because the viewer's marks could not be read (Redis unavailable). */
    final LongAdder unknownMark = new LongAdder();
    /** Reads sent to the primary because no replica was in rotation. */
    final LongAdder noReplica = new LongAdder();
    /** Replica reads that failed and ran again on the primary. */
    final LongAdder fallbacks = new LongAdder();
    /** Reads of requests that write, which go to the primary. */
    final LongAdder writingRequest = new LongAdder();
    /** Replay-position probes made for a read. */
    final LongAdder probes = new LongAdder();

    JsonObject toJson() {
      return new JsonObject()
          .put("queries", new JsonObject().put("primary", primaryReads.sum() + writes.sum()).put("replica", replicaReads.sum()))
          .put("reads", new JsonObject().put("primary", primaryReads.sum()).put("replica", replicaReads.sum()))
          .put("writes", writes.sum())
          .put("recentWriterReads", new JsonObject().put("replica", markedOnReplica.sum()).put("primary", markedOnPrimary.sum()))
          .put("primaryReadsUnknownMark", unknownMark.sum())
          .put("primaryReadsNoReplica", noReplica.sum())
          .put("primaryReadsOfWritingRequests", writingRequest.sum())
          .put("fallbacks", fallbacks.sum())
          .put("probes", probes.sum());
    }
  }
}
