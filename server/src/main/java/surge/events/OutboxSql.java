package surge.events;

/** The relay's SQL against the {@code outbox} table (migrations V3, V4), in one place. */
final class OutboxSql {
  /**
   * Session-level advisory lock key of "the active relay of this database". Held on the relay's own
   * connection, so it is released by PostgreSQL when that connection ends, however the relay died.
   */
  static final long RELAY_LOCK = 0x5355524745_01L; // "SURGE", 1

  static final String TRY_LOCK = "SELECT pg_try_advisory_lock(" + RELAY_LOCK + ")";
  static final String LISTEN = "LISTEN surge_outbox";
  static final String CHANNEL = "surge_outbox";

  /**
   * The oldest rows that are left, in insert order. Never "after the last seq seen": seq is taken at insert,
   * not at commit, so a row with a lower seq can become visible after a higher one was published; reading
   * what is left picks it up on the next round.
   */
  static final String HEAD = "SELECT seq, aggregate_type, aggregate_id::text, payload::text FROM outbox ORDER BY seq LIMIT $1";
  static final String DELETE = "DELETE FROM outbox WHERE seq = ANY($1)";
  /** Rows waiting and the age of the oldest, in ms. Runs on the shard's pool, not the relay's connection. */
  static final String BACKLOG = "SELECT count(*), coalesce(floor(extract(epoch FROM clock_timestamp() - min(created_at)) * 1000), 0)::bigint"
      + " FROM outbox";

  private OutboxSql() {}
}
