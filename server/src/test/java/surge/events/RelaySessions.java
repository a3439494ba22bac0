package surge.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;
import surge.db.PhysicalShard;
import surge.support.TestNode;

/** Kills relays the way a crash would, from the database's side. */
final class RelaySessions {
  private RelaySessions() {}

  /**
   * Terminates the session holding the relay lock of one shard's database (whichever node's relay holds it): its
   * lock is released and its connection ends, exactly as when the relay's process dies.
   */
  static Future<Void> kill(TestNode.Started node, String shardName) {
    PhysicalShard shard = node.node().services().shards().all().stream()
        .filter(s -> s.name().equals(shardName)).findFirst().orElseThrow();
    return shard.primary().preparedQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_locks"
            + " WHERE locktype = 'advisory' AND granted AND classid::bigint = $1 AND objid::bigint = $2"
            + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")
        .execute(Tuple.of(OutboxSql.RELAY_LOCK >>> 32, OutboxSql.RELAY_LOCK & 0xffffffffL))
        .map(rows -> {
          assertEquals(1L, rows.iterator().next().getLong(0), "one relay session terminated");
          return null;
        });
  }
}
