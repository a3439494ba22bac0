package surge.shardmove;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import surge.config.ConfigException;
import surge.config.Binder;
import surge.config.ConfigTree;
import surge.db.DbConfig;
import surge.db.Ids;
import surge.db.Lsn;
import surge.db.ShardMap;
import surge.db.Shards;

/**
 * {@code bin/shard-move <logical> <target>}: moves one logical shard to another physical shard, a
 * data copy plus a map change, never a rehash (design §3). Steps: freeze the shard in the map file
 * (nodes answer its writes with 503), copy its rows in one target transaction, verify counts and
 * checksums, switch the map (assign to the target, unfreeze), delete the rows from the source.
 * {@code bin/shard-move --pin} writes the current assignment into the map file, the first step of
 * adding a physical shard.
 *
 * <p>Runs on its own thread and blocks with {@code await()} on the reactive client: a tool, not an
 * event loop. It talks to nodes only through the map file, so after each map change it waits two
 * reload intervals (a node may have just read the old file) plus a grace for writes in flight.
 */
public final class ShardMove {
  /** A step the move has reached; tests act here while the shard is frozen. */
  public enum Step { FROZEN, COPIED, VERIFIED, SWITCHED, DONE }

  /** Where progress goes: stdout for the command, a test's hooks in-process. */
  public interface Progress {
    void line(String text);

    default void reached(Step step) {}
  }

  /** What a move did: rows per table and milliseconds per step. */
  public record Report(int logical, String source, String target, Map<String, Long> rows, Map<String, Long> millis) {}

  /** Rows of the shard differ after a copy, or the source changed after the verify. */
  public static final class MoveFailed extends RuntimeException {
    MoveFailed(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** How long the switch waits for the target's replicas to replay the copy. */
  private static final int REPLICA_WAIT_SECONDS = 30;

  private final Vertx vertx;
  private final DbConfig db;
  private final Path mapFile;
  private final long waitMs;
  private final Progress progress;
  private final Map<String, Long> millis = new LinkedHashMap<>();

  private ShardMove(Vertx vertx, DbConfig db, long graceMs, Progress progress) {
    if (db.shardMapFile().isBlank()) throw ConfigException.key("db.shardMapFile", "the shard-move tool needs a map file");
    this.vertx = vertx;
    this.db = db;
    this.mapFile = Path.of(db.shardMapFile());
    this.waitMs = 2L * db.shardMapReloadMs() + graceMs;
    this.progress = progress;
  }

  /**
   * Grace for writes that passed the frozen check just before the freeze: a pool wait and the statement. A write
   * that waited longer still cannot be lost: the delete step finds the source changed and keeps its rows.
   */
  static final long DEFAULT_GRACE_MS = 6_000;

  /** Moves {@code logical} to the physical shard named {@code target}; the command's entry point and the tests'. */
  public static Report move(Vertx vertx, DbConfig db, int logical, String target, long graceMs, Progress progress) {
    ShardMove tool = new ShardMove(vertx, db, graceMs, progress);
    try (FileChannel lock = tool.lockMapFile()) {
      return tool.move(logical, target);
    } catch (IOException e) {
      throw ConfigException.key("db.shardMapFile", e.getMessage());
    }
  }

  /** Writes the current assignment of every logical shard into the map file (see ShardMap#toFile). */
  public static ShardMap pin(DbConfig db, Progress progress) {
    ShardMove tool = new ShardMove(null, db, 0, progress);
    try (FileChannel lock = tool.lockMapFile()) {
      ShardMap map = Shards.loadMap(db);
      tool.writeMap(map);
      int[] counts = map.counts();
      for (int p = 0; p < counts.length; p++) progress.line("pinned " + counts[p] + " logical shard(s) on " + map.names().get(p));
      return map;
    } catch (IOException e) {
      throw ConfigException.key("db.shardMapFile", e.getMessage());
    }
  }

  public static void main(String[] args) {
    Progress stdout = line -> System.out.println("shard-move: " + line);
    try {
      run(args, stdout);
      System.exit(0);
    } catch (ConfigException | IllegalArgumentException e) {
      System.err.println("shard-move: " + e.getMessage());
      System.exit(2);
    } catch (RuntimeException e) {
      System.err.println("shard-move: failed: " + e.getMessage());
      System.exit(1);
    }
  }

  /** Splits the tool's own flags from config overrides, which go through the same loader as the server's. */
  private static void run(String[] args, Progress progress) {
    List<String> positional = new ArrayList<>();
    List<String> config = new ArrayList<>();
    Long grace = null;
    boolean pin = false;
    for (String arg : args) {
      if (arg.equals("--pin")) pin = true;
      else if (arg.startsWith("--grace-ms=")) grace = Long.parseLong(arg.substring("--grace-ms=".length()));
      else if (arg.startsWith("--")) config.add(arg);
      else positional.add(arg);
    }
    Path file = Path.of(System.getenv().getOrDefault("SURGE_CONFIG", "conf/surge.json"));
    // only db.*: the tool needs no other section, and surge.db cannot name the aggregate above it
    DbConfig db = Binder.bind(ConfigTree.load(file, System.getenv(), config), "db", DbConfig.class);
    if (pin && positional.isEmpty()) {
      pin(db, progress);
      return;
    }
    if (pin || positional.size() != 2) {
      throw new IllegalArgumentException("usage: bin/shard-move <logical 0.." + (Ids.LOGICAL_SHARDS - 1)
          + "> <target physical name> [--grace-ms=N] [--key=value...] | bin/shard-move --pin [--key=value...]");
    }
    Vertx vertx = Vertx.vertx();
    try {
      move(vertx, db, Integer.parseInt(positional.get(0)), positional.get(1),
          grace == null ? DEFAULT_GRACE_MS : grace, progress);
    } finally {
      vertx.close().await();
    }
  }

  private Report move(int logical, String targetName) {
    if (logical < 0 || logical >= Ids.LOGICAL_SHARDS) {
      throw new IllegalArgumentException("logical shard " + logical + " is outside 0.." + (Ids.LOGICAL_SHARDS - 1));
    }
    ShardMap map = Shards.loadMap(db);
    int target = map.indexOf(targetName);
    int source = map.physicalOf(logical);
    if (source == target) return finishEarlierMove(map, logical, target);
    progress.line("logical shard " + logical + ": " + describe(map, source) + " -> " + describe(map, target)
        + "; each map change waits " + waitMs + " ms for nodes and in-flight writes");
    Pool from = pool(map.physical().get(source));
    Pool to = pool(map.physical().get(target));
    try {
      return move(map, logical, source, target, from, to);
    } finally {
      from.close().await();
      to.close().await();
    }
  }

  private Report move(ShardMap map, int logical, int source, int target, Pool from, Pool to) {
    checkSameSchema(map, from, to, target);
    long started = System.nanoTime();
    writeMap(map.withFrozen(logical, true));
    Map<String, Long> rows;
    Map<String, String> sourceDigests;
    try {
      timedStep("freeze", this::waitForNodes);
      progress.reached(Step.FROZEN);
      rows = timed("copy", () -> copy(from, to, logical));
      progress.line("copied " + rows + " in " + millis.get("copy") + " ms");
      progress.reached(Step.COPIED);
      sourceDigests = timed("verify", () -> verify(from, to, logical));
      progress.line("verified " + sourceDigests.size() + " tables (row counts and md5) in " + millis.get("verify") + " ms");
      progress.reached(Step.VERIFIED);
      ShardMap.Physical targetSpec = map.physical().get(target);
      timedStep("replicas", () -> awaitReplicas(targetSpec, to));
    } catch (RuntimeException e) {
      throw abort(map, logical, to, e);
    }
    writeMap(map.withAssignment(logical, target).withFrozen(logical, false));
    progress.line("switched: logical shard " + logical + " now lives on " + map.names().get(target) + " and takes writes");
    millis.put("frozen", (System.nanoTime() - started) / 1_000_000);
    timedStep("switch", this::waitForNodes);
    progress.reached(Step.SWITCHED);
    timedStep("delete", () -> deleteFromSource(from, logical, sourceDigests, map.names().get(source)));
    millis.put("total", (System.nanoTime() - started) / 1_000_000);
    progress.line("done in " + millis.get("total") + " ms (writes refused for " + millis.get("frozen") + " ms): " + millis);
    progress.reached(Step.DONE);
    return new Report(logical, map.names().get(source), map.names().get(target), rows, Map.copyOf(millis));
  }

  /**
   * Rows travel as the source's row type, so both databases must be at the same migration. A new
   * physical shard gets its schema when a node starts with it in db.shards (every node migrates all).
   */
  private void checkSameSchema(ShardMap map, Pool from, Pool to, int target) {
    String source = ShardRows.schemaVersions(from);
    String there = ShardRows.schemaVersions(to);
    if (!source.equals(there)) {
      throw new IllegalStateException(map.names().get(target) + " has schema migrations [" + there + "] but the source has ["
          + source + "]: start a node with the new db.shards first (nodes migrate every physical shard)");
    }
  }

  /** Clears leftovers of an earlier failed run on the target, then copies in one target transaction. */
  private Map<String, Long> copy(Pool from, Pool to, int logical) {
    return inTransaction(to, target -> {
      long leftovers = total(ShardRows.delete(target, logical));
      if (leftovers > 0) progress.line("removed " + leftovers + " leftover row(s) of an earlier run from the target");
      return inTransaction(from, source -> {
        // One snapshot of the source for every table: the shard is frozen, but a late write must not tear the copy.
        source.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute().await();
        Map<String, Long> copied = ShardRows.copy(source, target, logical);
        ShardRows.carrySequences(target, ShardRows.sequences(source));
        return copied;
      });
    });
  }

  /** Compares per-table counts and checksums; returns the source's, to check again before deleting. */
  private Map<String, String> verify(Pool from, Pool to, int logical) {
    Map<String, String> source = inTransaction(from, conn -> ShardRows.digests(conn, logical));
    Map<String, String> target = inTransaction(to, conn -> ShardRows.digests(conn, logical));
    if (!ShardRows.stable(source).equals(ShardRows.stable(target))) {
      throw new IllegalStateException("source and target differ: " + source + " vs " + target);
    }
    return source;
  }

  /**
   * The rows are unreachable now. A source that changed since the verify took a write the copy
   * missed (a write in flight longer than the grace): its rows are kept for an operator to reconcile.
   */
  private void deleteFromSource(Pool from, int logical, Map<String, String> verified, String sourceName) {
    Map<String, Long> deleted = inTransaction(from, conn -> {
      Map<String, String> now = ShardRows.digests(conn, logical);
      if (!ShardRows.stable(now).equals(ShardRows.stable(verified))) {
        throw new MoveFailed("logical shard " + logical + " moved, but " + sourceName + " changed after the verify ("
            + now + "); its rows were kept for reconciliation: raise --grace-ms next time", null);
      }
      return ShardRows.delete(conn, logical);
    });
    progress.line("deleted " + total(deleted) + " row(s) of logical shard " + logical + " from " + sourceName + " " + deleted);
  }

  /** Undoes a failed copy: the target's rows go, the shard is unfrozen on its source. The cause is kept. */
  private MoveFailed abort(ShardMap map, int logical, Pool to, RuntimeException cause) {
    MoveFailed failed = new MoveFailed("move of logical shard " + logical + " aborted, it stays on "
        + map.names().get(map.physicalOf(logical)) + " and takes writes again: " + cause.getMessage(), cause);
    try {
      inTransaction(to, conn -> ShardRows.delete(conn, logical));
    } catch (RuntimeException e) {
      failed.addSuppressed(e); // leftovers are removed by the next run
    }
    writeMap(map.withFrozen(logical, false));
    return failed;
  }

  /**
   * The shard is on the target already: a run that stopped after its switch may have left rows on
   * other physical shards, unreachable since. Removes them, or says there is nothing to do.
   */
  private Report finishEarlierMove(ShardMap map, int logical, int target) {
    if (map.isFrozen(logical)) writeMap(map.withFrozen(logical, false));
    waitForNodes();
    Map<String, Long> removed = new LinkedHashMap<>();
    for (int p = 0; p < map.physical().size(); p++) {
      if (p == target) continue;
      Pool pool = pool(map.physical().get(p));
      try {
        removed.put(map.names().get(p), total(inTransaction(pool, conn -> ShardRows.delete(conn, logical))));
      } finally {
        pool.close().await();
      }
    }
    progress.line("logical shard " + logical + " already lives on " + map.names().get(target)
        + "; removed leftover rows elsewhere: " + removed);
    return new Report(logical, map.names().get(target), map.names().get(target), removed, Map.of());
  }

  private <T> T inTransaction(Pool pool, Function<SqlConnection, T> work) {
    SqlConnection conn = pool.getConnection().await();
    try {
      Transaction tx = conn.begin().await();
      T result = work.apply(conn);
      tx.commit().await();
      return result;
    } finally {
      conn.close().await(); // an uncommitted transaction is rolled back with the connection
    }
  }

  /**
   * Anonymous reads go to the target's replicas as soon as the map switches, so they must hold the
   * copy first: wait until each replica has replayed past the copy's commit. A replica that cannot
   * be reached is out of rotation anyway and replays the copy before it rejoins; it is skipped.
   */
  private void awaitReplicas(ShardMap.Physical target, Pool primary) {
    long copied = Lsn.parse(primary.query("SELECT pg_current_wal_insert_lsn()::text").execute().await()
        .iterator().next().getString(0));
    for (ShardMap.Endpoint replica : target.replicas()) {
      Pool pool = pool(replica, target.database(), target.name() + "-replica");
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(REPLICA_WAIT_SECONDS);
        while (!Lsn.reached(replayed(pool), copied)) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("replica " + replica + " has not replayed the copy within "
                + REPLICA_WAIT_SECONDS + " s; it lags, so the move is undone");
          }
          sleep(20);
        }
        progress.line("replica " + replica + " has the copy");
      } catch (RuntimeException e) {
        if (e instanceof IllegalStateException) throw e;
        progress.line("replica " + replica + " unreachable (" + e.getMessage() + "): skipped, it replays the copy before it rejoins");
      } finally {
        pool.close().await();
      }
    }
  }

  private static long replayed(Pool replica) {
    return Lsn.parse(replica.query("SELECT pg_last_wal_replay_lsn()::text").execute().await()
        .iterator().next().getString(0));
  }

  /** A small pool of the tool's own; UTC so row text (timestamps) compares equal across servers. */
  private Pool pool(ShardMap.Physical physical) {
    return pool(physical.primary(), physical.database(), physical.name());
  }

  private Pool pool(ShardMap.Endpoint endpoint, String database, String name) {
    PgConnectOptions connect = new PgConnectOptions()
        .setHost(endpoint.host()).setPort(endpoint.port()).setDatabase(database)
        .setUser(db.user()).setPassword(db.password())
        .addProperty("TimeZone", "UTC");
    return PgBuilder.pool().with(new PoolOptions().setMaxSize(2).setName("shard-move-" + name))
        .connectingTo(connect).using(vertx).build();
  }

  /** Written whole and renamed into place, so a node never reads half a file. */
  private void writeMap(ShardMap map) {
    Path tmp = mapFile.resolveSibling(mapFile.getFileName() + ".tmp");
    try {
      Files.writeString(tmp, map.toFile().encodePrettily() + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, mapFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the shard map " + mapFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * Refuses early when the map file cannot be written, and keeps two runs from editing it at once;
   * closing the returned channel releases the lock.
   */
  private FileChannel lockMapFile() throws IOException {
    Path dir = mapFile.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir) || !Files.isWritable(dir) || (Files.exists(mapFile) && !Files.isWritable(mapFile))) {
      throw ConfigException.key("db.shardMapFile", mapFile + " is not writable");
    }
    FileChannel channel = FileChannel.open(mapFile.resolveSibling(mapFile.getFileName() + ".lock"),
        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    if (channel.tryLock() == null) {
      channel.close();
      throw new IllegalStateException("another shard-move holds " + mapFile + ".lock");
    }
    return channel;
  }

  private void waitForNodes() {
    sleep(waitMs);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms); // the tool's own thread, never an event loop
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting", e);
    }
  }

  private <T> T timed(String step, java.util.function.Supplier<T> work) {
    long start = System.nanoTime();
    T result = work.get();
    millis.put(step, (System.nanoTime() - start) / 1_000_000);
    return result;
  }

  private void timedStep(String step, Runnable work) {
    timed(step, () -> {
      work.run();
      return null;
    });
  }

  private static String describe(ShardMap map, int index) {
    ShardMap.Physical p = map.physical().get(index);
    return p.name() + " (" + p.primary() + "/" + p.database() + ")";
  }

  private static long total(Map<String, Long> counts) {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }
}
