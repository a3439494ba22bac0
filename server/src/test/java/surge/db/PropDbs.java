package surge.db;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Direct access to the property-test databases of the local stack, for tests that check what the
 * server wrote where. {@code surge_prop1} is a one-physical-shard deployment, {@code surge_prop4_0..3}
 * a four-physical-shard one; the tests that use them may wipe them. Every call blocks on the JUnit
 * thread ({@code await()}), never on an event loop.
 */
final class PropDbs {
  static final String ONE = "surge_prop1";
  static final List<String> FOUR = List.of("surge_prop4_0", "surge_prop4_1", "surge_prop4_2", "surge_prop4_3");

  private PropDbs() {}

  /** Node overrides for a deployment on these databases: even split, reading from primaries only. */
  static Map<String, String> nodeConfig(List<String> databases) {
    return Map.of("db.shards", String.join(",", databases), "db.replicas", "", "db.shardMapFile", "");
  }

  /** One small pool per database, in the order given (index = physical shard). */
  static List<Pool> pools(Vertx vertx, List<String> databases) {
    List<Pool> pools = new ArrayList<>();
    for (String database : databases) {
      PgConnectOptions connect = new PgConnectOptions().setHost(host()).setPort(port()).setDatabase(database)
          .setUser(env("SURGE_DB_USER", "surge")).setPassword(env("SURGE_DB_PASSWORD", "surge"));
      pools.add(PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(connect).using(vertx).build());
    }
    return pools;
  }

  /**
   * Empties every table but Flyway's history, so the next node starts on an empty but migrated
   * schema (a database that was never migrated has no tables and is left to the node's Flyway).
   */
  static void wipe(Pool pool) {
    List<String> tables = new ArrayList<>();
    for (Row row : pool.query("SELECT quote_ident(tablename) FROM pg_tables"
        + " WHERE schemaname = 'public' AND tablename <> 'flyway_schema_history'").execute().await()) {
      tables.add(row.getString(0));
    }
    if (!tables.isEmpty()) pool.query("TRUNCATE " + String.join(", ", tables) + " CASCADE").execute().await();
  }

  static List<Row> rows(Pool pool, String sql, Object... params) {
    List<Row> out = new ArrayList<>();
    for (Row row : pool.preparedQuery(sql).execute(Tuple.from(params)).await()) out.add(row);
    return out;
  }

  static void close(List<Pool> pools) {
    if (pools != null) for (Pool pool : pools) pool.close().await();
  }

  /** Physical shard of a logical shard under the even split, re-derived: l * P / 8192. */
  static int evenSplit(int logical, int physicalCount) {
    return (int) ((long) logical * physicalCount / 8192);
  }

  private static String host() {
    return env("SURGE_DB_HOST", "127.0.0.1");
  }

  private static int port() {
    return Integer.parseInt(env("SURGE_DB_PORT", "15432"));
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
