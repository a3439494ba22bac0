package surge.db;

import surge.config.Checked;
import surge.config.ConfigException;
import surge.config.Doc;
import surge.config.Range;

/** PostgreSQL: the physical shards, their replicas and the pools ({@code db.*}; see {@link ShardMap}). */
@Doc("PostgreSQL: the physical shards, their replicas and the pools ([replicas.md](replicas.md)).")
public record DbConfig(
    @Doc("Default primary host of `db.shards` entries that name none.") String host,
    @Doc("Default primary port of `db.shards` entries that name none.") @Range(min = 1, max = 65535) int port,
    @Doc("Physical shards, comma-separated: `[name=][host[:port]/]database[@replica[+replica]]`; names default to `p0`,"
        + " `p1`, …") String shards,
    @Doc("Default streaming replicas (`host:port`, comma-separated) of entries that name none; empty for none.")
    String replicas,
    @Doc("The logical-shard map written by `bin/shard-move`; a missing file or an empty value means the even split of"
        + " `db.shards`. Every node and the tool must use the same file (the test suite sets it empty).")
    String shardMapFile,
    @Doc("How often a running node re-reads the map file; the tool waits two of these after each map change.")
    @Range(min = 10, max = 60_000) int shardMapReloadMs,
    @Doc("Database user.") String user,
    @Doc("Database password; in production set it from the environment (a Secret), not in the file.") String password,
    @Doc("Connections per pool.") @Range(min = 1, max = 1000) int poolSize,
    @Doc("Requests that may wait for a connection; beyond it, 503.") @Range(min = -1, max = 1_000_000) int poolMaxWaitQueue,
    @Doc("Queries in flight per connection.") @Range(min = 1, max = 4096) int pipeliningLimit,
    @Doc("Prepared statements cached per connection.") @Range(min = 0, max = 100_000) int preparedStatementCacheSize,
    @Doc("How often each node checks every replica's replay position and lag; a replica that goes down or falls behind"
        + " leaves rotation within one interval.") @Range(min = 50, max = 60_000) int replicaCheckMs,
    @Doc("A replica further behind its primary than this many WAL bytes leaves rotation.")
    @Range(min = 0, max = Integer.MAX_VALUE) int replicaMaxLagBytes,
    @Doc("A replica behind its primary for longer than this leaves rotation.") @Range(min = 0, max = 3_600_000)
    int replicaMaxLagMs,
    @Doc("How long a user's last write position is kept (in Redis and per node) to route their reads to a replica that"
        + " has it; must exceed `db.replicaMaxLagMs + db.replicaCheckMs`.") @Range(min = 1000, max = 86_400_000)
    int readYourWritesTtlMs) implements Checked {

  @Override
  public void check() {
    if (readYourWritesTtlMs <= (long) replicaMaxLagMs + replicaCheckMs) {
      throw ConfigException.key("db.readYourWritesTtlMs", "must exceed db.replicaMaxLagMs + db.replicaCheckMs, or a"
          + " replica in rotation could serve a user a read older than their write");
    }
  }
}
