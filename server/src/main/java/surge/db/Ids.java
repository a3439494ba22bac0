package surge.db;

import java.util.Locale;

/**
 * The 64-bit ID scheme. Every ID names the logical shard its row lives on, so a request routes to
 * its database without a lookup (design §3).
 *
 * <p>Users and articles: {@code (ms since 2025-01-01) << 23 | logicalShard << 10 | seq % 1024},
 * generated inside PostgreSQL by {@code surge_next_id(shard)} (migration V1), so two nodes can
 * never collide: the sequence belongs to the database, not to a node. Positive until 2059.
 *
 * <p>Comments are exposed as JSON numbers, which JavaScript reads exactly only below 2^53, so they
 * use {@code seq << 13 | logicalShard} from {@code surge_next_comment_id(shard)}: 40 bits of sequence
 * per physical shard. (Moving a logical shard must carry the sequence forward; see the shard tool.)
 */
public final class Ids {
  public static final int SHARD_BITS = 13;
  public static final int LOGICAL_SHARDS = 1 << SHARD_BITS;
  public static final int SEQ_BITS = 10;
  static final long EPOCH_MS = 1_735_689_600_000L; // 2025-01-01T00:00:00Z, mirrored in V1__core.sql
  private static final long SHARD_MASK = LOGICAL_SHARDS - 1;
  private static final long SEQ_MASK = (1L << SEQ_BITS) - 1;
  public static final long MAX_SAFE_JSON_INTEGER = (1L << 53) - 1;

  private Ids() {}

  /** What {@code surge_next_id} computes; kept in Java so the layout is unit-tested. */
  public static long compose(long epochMillis, int logicalShard, long sequence) {
    checkShard(logicalShard);
    return ((epochMillis - EPOCH_MS) << (SHARD_BITS + SEQ_BITS)) | ((long) logicalShard << SEQ_BITS) | (sequence & SEQ_MASK);
  }

  public static int shardOf(long id) {
    return (int) ((id >>> SEQ_BITS) & SHARD_MASK);
  }

  public static long epochMillisOf(long id) {
    return (id >>> (SHARD_BITS + SEQ_BITS)) + EPOCH_MS;
  }

  /** What {@code surge_next_comment_id} computes. */
  public static long composeComment(long sequence, int logicalShard) {
    checkShard(logicalShard);
    return (sequence << SHARD_BITS) | logicalShard;
  }

  public static int shardOfComment(long commentId) {
    return (int) (commentId & SHARD_MASK);
  }

  /**
   * The logical shard for a key such as a lower-cased email (new users) or a username (directory
   * rows). Stable across JVMs and releases: String.hashCode is specified, and the mix spreads it.
   */
  public static int shardForKey(String key) {
    int h = key.toLowerCase(Locale.ROOT).hashCode();
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return (int) (h & SHARD_MASK);
  }

  private static void checkShard(int logicalShard) {
    if (logicalShard < 0 || logicalShard >= LOGICAL_SHARDS) {
      throw new IllegalArgumentException("logical shard " + logicalShard + " is outside 0.." + (LOGICAL_SHARDS - 1));
    }
  }
}
