package surge.bench;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs multi-row inserts on every physical shard at once: each shard has its own queue of batches
 * and keeps a few statements in flight, so both databases (and both cores) work while this thread
 * builds the next batch. Blocking ({@code await()}): the tool's main thread, never an event loop.
 */
final class ShardLoader {
  /** Statements in flight per shard: enough to overlap building, network and the server's work. */
  static final int IN_FLIGHT = 3;

  /** Builds the parameters of one batch: rows[from, to) of a shard's row list. */
  interface Columns {
    Tuple of(int[] rows, int from, int to);
  }

  /** One table's insert: the statement, its batch size, and each shard's rows (indices into the plan). */
  record Table(String name, String sql, int batch, int[][] rowsByShard, Columns columns) {
    long rows() {
      long n = 0;
      for (int[] rows : rowsByShard) n += rows.length;
      return n;
    }
  }

  private record Batch(Table table, int[] rows, int from, int to) {}

  private final List<Pool> pools;
  private final Consumer<String> progress;

  ShardLoader(List<Pool> pools, Consumer<String> progress) {
    this.pools = pools;
    this.progress = progress;
  }

  /** Inserts every row of the given tables (which must not depend on each other); rows inserted. */
  long load(String phase, List<Table> tables) {
    long started = System.nanoTime();
    List<ArrayDeque<Batch>> queues = new ArrayList<>();
    long total = 0;
    for (int p = 0; p < pools.size(); p++) queues.add(new ArrayDeque<>());
    for (Table table : tables) {
      total += table.rows();
      for (int p = 0; p < pools.size(); p++) {
        int[] rows = table.rowsByShard()[p];
        for (int from = 0; from < rows.length; from += table.batch()) {
          queues.get(p).add(new Batch(table, rows, from, Math.min(rows.length, from + table.batch())));
        }
      }
    }
    long done = run(queues, total, phase, started);
    long ms = Math.max(1, (System.nanoTime() - started) / 1_000_000);
    progress.accept(phase + ": " + done + " rows in " + ms + " ms (" + done * 1000 / ms + " rows/s)");
    return done;
  }

  /** Round robin over the shards; a shard with its quota in flight waits for its oldest statement. */
  private long run(List<ArrayDeque<Batch>> queues, long total, String phase, long started) {
    List<ArrayDeque<Future<Integer>>> inFlight = new ArrayList<>();
    for (int p = 0; p < pools.size(); p++) inFlight.add(new ArrayDeque<>());
    long done = 0;
    long nextReport = total / 10;
    boolean more = true;
    while (more) {
      more = false;
      for (int p = 0; p < pools.size(); p++) {
        Batch batch = queues.get(p).poll();
        if (batch == null) continue;
        more = true;
        if (inFlight.get(p).size() >= IN_FLIGHT) done += inFlight.get(p).poll().await();
        inFlight.get(p).add(submit(pools.get(p), batch));
        if (done >= nextReport && total >= 100_000) {
          progress.accept(phase + ": " + done + "/" + total + " rows, " + (System.nanoTime() - started) / 1_000_000 + " ms");
          nextReport += total / 10;
        }
      }
    }
    for (ArrayDeque<Future<Integer>> shard : inFlight) for (Future<Integer> f : shard) done += f.await();
    return done;
  }

  private static Future<Integer> submit(Pool pool, Batch batch) {
    Tuple params = batch.table().columns().of(batch.rows(), batch.from(), batch.to());
    return pool.preparedQuery(batch.table().sql()).execute(params).map(rows -> rows.rowCount());
  }
}
