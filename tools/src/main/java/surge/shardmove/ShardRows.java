package surge.shardmove;

import io.vertx.sqlclient.Cursor;
import io.vertx.sqlclient.PreparedStatement;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import surge.db.Ids;

/**
 * The rows of one logical shard in one physical database, table by table (schema V1-V3): what the
 * shard-move tool copies, checks and deletes. Blocking ({@code await()}): tool threads only, never
 * an event loop. Rows travel as {@code row_to_json} text, so a table's columns need no listing here
 * and both databases read them back with the same row type.
 */
final class ShardRows {
  private static final int BATCH = 1000;
  private static final String SHARD_OF_ID = "(%s >> " + Ids.SEQ_BITS + ") & " + (Ids.LOGICAL_SHARDS - 1);

  /**
   * A table and how its rows name their logical shard: an SQL expression for tables keyed by ids,
   * or, for the directory, a key column hashed by {@link Ids#shardForKey} (Java only, so filtered here).
   */
  record Table(String name, String shardOf, String order, String key, String serial, String carried) {
    static Table byId(String name, String idColumn, String order) {
      return new Table(name, SHARD_OF_ID.formatted(idColumn), order, null, null, null);
    }

    static Table directory(String name, String key) {
      return new Table(name, null, key, key, null, null);
    }

    /**
     * A queue keyed by ids whose {@code serial} column is the target database's own (the outbox's
     * seq): rows are copied in serial order without it, so the target numbers them after its own
     * rows and keeps their relative order; digests compare the rows without it.
     */
    static Table queue(String name, String idColumn, String serial, String carried) {
      return new Table(name, SHARD_OF_ID.formatted(idColumn), serial, null, serial, carried);
    }

    boolean isQueue() {
      return serial != null;
    }

    /** The row as JSON text, less the serial column of a queue. */
    String json() {
      return isQueue() ? "(row_to_json(t)::jsonb - '" + serial + "')::text" : "row_to_json(t)::text";
    }

    boolean isDirectory() {
      return key != null;
    }
  }

  /** Parents before children, so a copy satisfies the foreign keys; deletes run in reverse. */
  static final List<Table> TABLES = List.of(
      Table.byId("users", "id", "id"),
      Table.byId("follows", "follower_id", "follower_id, followee_id"),
      Table.byId("articles", "id", "id"),
      Table.byId("favorites", "article_id", "article_id, user_id"),
      // Comment ids keep the logical shard in their low bits (Ids.composeComment).
      new Table("comments", "id & " + (Ids.LOGICAL_SHARDS - 1), "id", null, null, null),
      Table.directory("usernames", "username"),
      Table.directory("emails", "email"),
      // Pending events (V3) go with their aggregate (a user or article id) and keep their order.
      Table.queue("outbox", "aggregate_id", "seq", "id, aggregate_type, aggregate_id, type, payload, created_at"));

  /** The sequences new ids draw from; a move carries them forward (see {@link #carrySequences}). */
  static final List<String> SEQUENCES = List.of("surge_id_seq", "surge_comment_seq");

  private ShardRows() {}

  /** Copies the shard's rows of every table from {@code source} to {@code target}; rows per table. */
  static Map<String, Long> copy(SqlConnection source, SqlConnection target, int logical) {
    Map<String, Long> copied = new LinkedHashMap<>();
    for (Table table : TABLES) {
      String insert = table.isQueue()
          ? "INSERT INTO " + table.name() + " (" + table.carried() + ") SELECT " + table.carried()
              + " FROM json_populate_recordset(null::" + table.name() + ", $1::text::json) WITH ORDINALITY ORDER BY ordinality"
          : "INSERT INTO " + table.name() + " SELECT * FROM json_populate_recordset(null::" + table.name() + ", $1::text::json)";
      long[] n = {0};
      scan(source, table, logical, batch -> {
        List<String> json = batch.stream().map(row -> row.getString(1)).toList();
        target.preparedQuery(insert).execute(Tuple.of("[" + String.join(",", json) + "]")).await();
        n[0] += json.size();
      });
      copied.put(table.name(), n[0]);
    }
    return copied;
  }

  /** Deletes the shard's rows from every table, children first; rows per table. */
  static Map<String, Long> delete(SqlConnection conn, int logical) {
    Map<String, Long> deleted = new LinkedHashMap<>();
    for (int i = TABLES.size() - 1; i >= 0; i--) deleted.put(TABLES.get(i).name(), deleteFrom(conn, TABLES.get(i), logical));
    return deleted;
  }

  /** Per table {@code "<rows> <md5>"} over the shard's rows in key order, for comparing two databases. */
  static Map<String, String> digests(SqlConnection conn, int logical) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Table table : TABLES) out.put(table.name(), table.isDirectory() ? directoryDigest(conn, table, logical) : idDigest(conn, table, logical));
    return out;
  }

  /**
   * The digests a move compares between source and target, and between verify and delete: all but the queues.
   * The outbox relays of both databases publish and delete pending events at any time, moved or not, so its
   * rows are copied (an event may then go out twice, under one id) but not compared.
   */
  static Map<String, String> stable(Map<String, String> digests) {
    Map<String, String> out = new LinkedHashMap<>(digests);
    for (Table table : TABLES) if (table.isQueue()) out.remove(table.name());
    return out;
  }

  /** The Flyway migrations applied, e.g. {@code "1,2"}; empty for a database without the schema. */
  static String schemaVersions(io.vertx.sqlclient.SqlClient client) {
    // Two statements: a query naming a missing table fails at parse time, whatever guards it.
    boolean migrated = client.query("SELECT to_regclass('flyway_schema_history') IS NOT NULL").execute().await()
        .iterator().next().getBoolean(0);
    if (!migrated) return "";
    String versions = client.query("SELECT string_agg(version, ',' ORDER BY installed_rank) FROM flyway_schema_history"
        + " WHERE success").execute().await().iterator().next().getString(0);
    return versions == null ? "" : versions;
  }

  /** The sequences' last values in {@code source}. */
  static List<Long> sequences(SqlConnection source) {
    List<Long> out = new ArrayList<>();
    for (String seq : SEQUENCES) out.add(source.query("SELECT last_value FROM " + seq).execute().await().iterator().next().getLong(0));
    return out;
  }

  /**
   * Moves the target's sequences past the source's last values, so ids the target makes for the moved
   * shard never repeat one it had on the source (comment ids are {@code seq << 13 | shard}). nextval
   * reserves a value atomically, and the 1024 of headroom covers values other shards' writers draw
   * between that nextval and the setval, so setval never hands out a value twice.
   */
  static void carrySequences(SqlConnection target, List<Long> sourceLastValues) {
    for (int i = 0; i < SEQUENCES.size(); i++) {
      String seq = SEQUENCES.get(i);
      target.preparedQuery("SELECT CASE WHEN nextval('" + seq + "') <= $1 THEN setval('" + seq + "', $1 + 1024) END")
          .execute(Tuple.of(sourceLastValues.get(i))).await();
    }
  }

  private static long deleteFrom(SqlConnection conn, Table table, int logical) {
    if (!table.isDirectory()) {
      return conn.preparedQuery("DELETE FROM " + table.name() + " WHERE " + table.shardOf() + " = $1").execute(Tuple.of(logical)).await().rowCount();
    }
    List<String> keys = new ArrayList<>();
    scan(conn, table, logical, batch -> batch.forEach(row -> keys.add(row.getString(0))));
    if (keys.isEmpty()) return 0;
    return conn.preparedQuery("DELETE FROM " + table.name() + " WHERE " + table.key() + " = ANY($1)")
        .execute(Tuple.of(keys.toArray(new String[0]))).await().rowCount();
  }

  private static String idDigest(SqlConnection conn, Table table, int logical) {
    Row row = conn.preparedQuery("SELECT count(*), md5(coalesce(string_agg(" + table.json() + ", ',' ORDER BY " + table.order()
        + "), '')) FROM " + table.name() + " t WHERE " + table.shardOf() + " = $1").execute(Tuple.of(logical)).await().iterator().next();
    return row.getLong(0) + " " + row.getString(1);
  }

  /** Key order is taken in Java: two servers may collate text differently. */
  private static String directoryDigest(SqlConnection conn, Table table, int logical) {
    List<String[]> rows = new ArrayList<>();
    scan(conn, table, logical, batch -> batch.forEach(row -> rows.add(new String[] {row.getString(0), row.getString(1)})));
    rows.sort((a, b) -> a[0].compareTo(b[0]));
    MessageDigest md5 = md5();
    for (int i = 0; i < rows.size(); i++) md5.update(((i == 0 ? "" : ",") + rows.get(i)[1]).getBytes(StandardCharsets.UTF_8));
    return rows.size() + " " + HexFormat.of().formatHex(md5.digest());
  }

  /**
   * Hands the shard's rows of {@code table} to {@code batches} as (key, row_to_json text), a cursor
   * page at a time; needs an open transaction (cursors live in one). Directory rows are all read and
   * filtered here, because their shard is a Java hash of the key.
   */
  private static void scan(SqlConnection conn, Table table, int logical, Consumer<List<Row>> batches) {
    String sql = table.isDirectory()
        ? "SELECT " + table.key() + ", row_to_json(t)::text FROM " + table.name() + " t"
        : "SELECT null::text, " + table.json() + " FROM " + table.name() + " t WHERE " + table.shardOf() + " = $1"
            + (table.isQueue() ? " ORDER BY " + table.order() : "");
    PreparedStatement statement = conn.prepare(sql).await();
    Cursor cursor = statement.cursor(table.isDirectory() ? Tuple.tuple() : Tuple.of(logical));
    try {
      do {
        List<Row> batch = new ArrayList<>();
        for (Row row : cursor.read(BATCH).await()) {
          if (!table.isDirectory() || Ids.shardForKey(row.getString(0)) == logical) batch.add(row);
        }
        if (!batch.isEmpty()) batches.accept(batch);
      } while (cursor.hasMore());
    } finally {
      cursor.close().await();
      statement.close().await();
    }
  }

  private static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no MD5", e); // every Java SE platform must provide it
    }
  }
}
