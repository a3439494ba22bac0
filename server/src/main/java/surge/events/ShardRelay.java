package surge.events;

import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay of one physical shard on this node: at most one node's relay per shard is active at a time.
 *
 * <p>Standby: hold a connection to the shard's primary and try {@code pg_try_advisory_lock} every
 * {@code events.lockRetryMs}. Active (the lock is ours, on this connection): {@code LISTEN} for the outbox
 * trigger's notifications, and on each notification, each {@code events.pollMs} and right after a full batch, run
 * one round: read the oldest rows that are left, send them in that order, wait for the broker's acks, delete the
 * acknowledged rows, publish them to the nodes' live streams. One round at a time, so one relay never reorders an
 * aggregate's events; one active relay per shard, so two relays never race on the same rows.
 *
 * <p>Everything here runs on the relay verticle's event loop. The rows are read and deleted on the lock's own
 * connection, so a relay that lost its connection (and with it the lock) can neither read nor delete any more; a
 * relay that died after Kafka acknowledged but before it deleted leaves the rows for the next active relay, which
 * sends them again under the same event ids (at-least-once).
 */
final class ShardRelay {
  private static final Logger log = LoggerFactory.getLogger(ShardRelay.class);
  private static final long FIRST_RETRY_MS = 100;
  private static final long STOP_WAIT_MS = 5_000;
  /** How often an active relay checks that its lock's connection still answers. */
  private static final long PING_EVERY_MS = 2_000;
  /** Far above a healthy answer (milliseconds), well below TCP's retransmission give-up (minutes). */
  private static final long PING_TIMEOUT_MS = 5_000;

  private final Vertx vertx;
  private final String shard;
  private final PgConnectOptions connect;
  private final EventsConfig config;
  private final KafkaEvents kafka;
  private final RelayStats.Shard stats;
  private final RelayHooks hooks;

  private PgConnection connection;
  private boolean active;
  private boolean stopped;
  private boolean running;
  private boolean again;
  private long retryMs = FIRST_RETRY_MS;
  private long timer = -1;
  /** After a failed send, rounds carry one row until one gets through: no batch of sends blocking on a dead broker. */
  private boolean probing;
  /** Rows the running round asked for. */
  private int limit;
  /** A failed round's back-off is running: notifications wait for it instead of hammering a broken broker. */
  private boolean backingOff;
  private Future<Void> round = Future.succeededFuture();
  private long pingTimer = -1;
  private boolean pinging;

  ShardRelay(Vertx vertx, String shard, PgConnectOptions connect, EventsConfig config, KafkaEvents kafka,
             RelayStats.Shard stats, RelayHooks hooks) {
    this.vertx = vertx;
    this.shard = shard;
    this.connect = connect;
    this.config = config;
    this.kafka = kafka;
    this.stats = stats;
    this.hooks = hooks;
  }

  void start() {
    connectAndTryLock();
  }

  /**
   * Stops taking new rounds, lets the current one finish (its acks and delete) for up to {@link #STOP_WAIT_MS}, then
   * closes the connection. A round cut short leaves its rows for the next active relay (sent again, same ids).
   */
  Future<Void> stop() {
    stopped = true;
    cancelTimer();
    cancelPing();
    return round.timeout(STOP_WAIT_MS, TimeUnit.MILLISECONDS).otherwiseEmpty().eventually(this::disconnect);
  }

  // ------------------------------------------------------------------------------------------ lock

  private void connectAndTryLock() {
    if (stopped) return;
    PgConnection.connect(vertx, connect)
        .onSuccess(this::connected)
        .onFailure(err -> retryLater("connect", err, this::connectAndTryLock));
  }

  private void connected(PgConnection conn) {
    if (stopped) {
      conn.close();
      return;
    }
    connection = conn;
    conn.closeHandler(v -> lost(conn));
    conn.notificationHandler(n -> {
      if (OutboxSql.CHANNEL.equals(n.getChannel())) wake();
    });
    tryLock();
  }

  private void tryLock() {
    if (stopped || connection == null) return;
    PgConnection conn = connection;
    conn.query(OutboxSql.TRY_LOCK).execute()
        .map(rows -> rows.iterator().next().getBoolean(0))
        .compose(locked -> locked ? conn.query(OutboxSql.LISTEN).execute().map(true) : Future.succeededFuture(false))
        .onSuccess(locked -> {
          if (locked) becomeActive();
          else schedule(config.lockRetryMs(), this::tryLock);
        })
        .onFailure(err -> {
          // A broken connection also fires lost(), which reconnects; anything else: try again later.
          if (connection == conn) retryLater("lock", err, this::tryLock);
        });
  }

  private void becomeActive() {
    active = true;
    retryMs = FIRST_RETRY_MS;
    stats.active = true;
    stats.takeovers.increment();
    log.info("outbox relay of shard {} is active on this node", shard);
    pingTimer = vertx.setPeriodic(PING_EVERY_MS, id -> ping());
    wake();
  }

  /**
   * A connection the network lost answers nothing, and TCP can take minutes to say so, while the database may have
   * ended the session (and given the lock to another node) long before. A ping that does not answer in time makes
   * this relay stand by now instead of taking itself for the active one until TCP gives up. The ping queues behind a
   * statement in flight on the same connection, so a hanging round is caught too.
   */
  private void ping() {
    PgConnection conn = connection;
    if (!active || conn == null || pinging) return;
    pinging = true;
    conn.query("SELECT 1").execute().timeout(PING_TIMEOUT_MS, TimeUnit.MILLISECONDS).onComplete(answer -> {
      pinging = false;
      if (answer.succeeded() || connection != conn) return;
      log.warn("outbox relay of shard {}: its connection did not answer in {} ms", shard, PING_TIMEOUT_MS);
      lost(conn);
      conn.close();
    });
  }

  /** The connection ended: the lock went with it. Back to standby, on a new connection. */
  private void lost(PgConnection conn) {
    if (connection != conn) return;
    connection = null;
    if (active) log.warn("outbox relay of shard {} lost its connection; standing by", shard);
    active = false;
    cancelPing();
    backingOff = false;
    stats.active = false;
    cancelTimer();
    if (!stopped) retryLater("connection", new IllegalStateException("connection closed"), this::connectAndTryLock);
  }

  private Future<Void> disconnect() {
    PgConnection conn = connection;
    connection = null;
    active = false;
    stats.active = false;
    return conn == null ? Future.succeededFuture() : conn.close();
  }

  // ---------------------------------------------------------------------------------------- rounds

  /** Something may be waiting: run a round now, or right after the running one. */
  void wake() {
    if (stopped || !active || backingOff) return;
    if (running) {
      again = true;
      return;
    }
    cancelTimer();
    running = true;
    again = false;
    round = runRound().andThen(ar -> roundDone(ar.succeeded() ? ar.result() : -1, ar.cause())).mapEmpty();
  }

  /** The Kafka breaker let a probe through or closed: end a running back-off and try now. */
  void resume() {
    if (stopped || !active || !backingOff) return;
    cancelTimer();
    backingOff = false;
    wake();
  }

  /** One round: the rows published (and deleted), or a failure. */
  private Future<Integer> runRound() {
    // Kafka's breaker is open: nothing would be sent, so nothing is read either; resume() comes with the probe.
    if (kafka.breaker().isOpen()) return Future.failedFuture(OpenCircuitException.INSTANCE);
    PgConnection conn = connection;
    limit = probing ? 1 : config.batchSize();
    return kafka.topicsReady()
        .compose(ready -> head(conn, limit))
        .compose(rows -> rows.isEmpty() ? Future.succeededFuture(0) : publish(conn, rows));
  }

  private Future<List<OutboxRow>> head(PgConnection conn, int limit) {
    return conn.preparedQuery(OutboxSql.HEAD).execute(Tuple.of(limit))
        .map(rows -> {
          List<OutboxRow> list = new ArrayList<>(rows.size());
          for (Row r : rows) list.add(new OutboxRow(r.getLong(0), r.getString(1), r.getString(2), r.getString(3)));
          return list;
        });
  }

  /**
   * Sends the rows in order and waits for every outcome. Deletes the longest acknowledged prefix; rows after the
   * first failure stay for the next round, even if some of them were acknowledged (sent again then, same ids).
   */
  private Future<Integer> publish(PgConnection conn, List<OutboxRow> rows) {
    List<Future<Void>> sends = new ArrayList<>(rows.size());
    for (OutboxRow row : rows) sends.add(kafka.send(row));
    return Future.join(sends).otherwiseEmpty().compose(all -> {
      int acked = 0;
      while (acked < sends.size() && sends.get(acked).succeeded()) acked++;
      List<OutboxRow> done = rows.subList(0, acked);
      Throwable failure = acked < sends.size() ? sends.get(acked).cause() : null;
      return hooks.afterPublish(shard, done)
          .compose(v -> delete(conn, done))
          .compose(v -> failure == null ? Future.succeededFuture(done.size()) : Future.failedFuture(failure));
    });
  }

  private Future<Void> delete(PgConnection conn, List<OutboxRow> done) {
    if (done.isEmpty()) return Future.succeededFuture();
    Long[] seqs = new Long[done.size()];
    for (int i = 0; i < seqs.length; i++) seqs[i] = done.get(i).seq();
    return conn.preparedQuery(OutboxSql.DELETE).execute(Tuple.of(seqs)).map(deleted -> {
      stats.published.add(done.size());
      stats.lastPublishedAt = System.currentTimeMillis();
      // Durable in Kafka now: tell every node's live streams (best effort, see LiveEvents).
      for (OutboxRow row : done) vertx.eventBus().publish(LiveEvents.ADDRESS, row.payload());
      return null;
    });
  }

  private void roundDone(int published, Throwable failure) {
    running = false;
    if (failure != null) {
      stats.failures.increment();
      stats.lastError = String.valueOf(failure.getMessage());
      if (!active) return; // the connection went: lost() is already reconnecting
      probing = true;
      backingOff = true;
      retryLater("round", failure, () -> {
        backingOff = false;
        wake();
      });
      return;
    }
    retryMs = FIRST_RETRY_MS;
    boolean full = published > 0 && published >= limit;
    probing = false;
    if (full || again) {
      vertx.runOnContext(v -> wake()); // more waiting: go on, without growing the stack
    } else {
      schedule(config.pollMs(), this::wake);
    }
  }

  // ---------------------------------------------------------------------------------------- timers

  private void retryLater(String what, Throwable err, Runnable action) {
    if (stopped) return;
    if (err instanceof OpenCircuitException) {
      log.debug("outbox relay of shard {}: Kafka breaker open; retrying in {} ms", shard, retryMs);
    } else {
      log.warn("outbox relay of shard {}: {} failed ({}); retrying in {} ms", shard, what, err.getMessage(), retryMs);
    }
    schedule(retryMs, action);
    retryMs = Math.min(retryMs * 2, config.retryMaxMs());
  }

  private void schedule(long delayMs, Runnable action) {
    if (stopped) return;
    cancelTimer();
    timer = vertx.setTimer(delayMs, id -> {
      timer = -1;
      action.run();
    });
  }

  private void cancelPing() {
    if (pingTimer >= 0) vertx.cancelTimer(pingTimer);
    pingTimer = -1;
  }

  private void cancelTimer() {
    if (timer >= 0) vertx.cancelTimer(timer);
    timer = -1;
  }
}
