package surge.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import surge.core.Viewer;
import surge.redis.RedisClients;
import surge.redis.RedisConfig;
import surge.resilience.Breaker;

/**
 * Read-your-writes marks, the way GitLab's load balancer keeps them: after a user's write commits,
 * the primary's WAL insert position is recorded as the user's mark for that physical shard, in
 * Redis (so every node sees it) and in a local map (so this node does not need Redis for its own
 * writes). A read by that user may go to a replica only once the replica has replayed past the mark.
 *
 * <p>Redis trouble never fails a request: lookups and stores wait at most {@code redis.timeoutMs}, and
 * {@code redis.breakerFailures} failures in a row open the marks' circuit breaker ({@link Breaker},
 * {@code redis-marks}): Redis is left alone for {@link #BREAKER_MS}, then probed. While a user's marks cannot be
 * read, that user's reads go to primaries: safe, and over when Redis answers again.
 */
public final class ReadYourWrites {
  static final long BREAKER_MS = 3000;
  private static final String KEY_PREFIX = "surge:ryw:";
  /** Keeps the larger mark (fixed-width hex compares as the number does) and refreshes the TTL. */
  private static final String STORE_MAX = "local c = redis.call('HGET', KEYS[1], ARGV[1])"
      + " if (not c) or c < ARGV[2] then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end"
      + " redis.call('PEXPIRE', KEYS[1], ARGV[3]) return 1";

  /** A user's marks by physical shard name; {@link #UNKNOWN} when they could not be read. */
  record Marks(Map<String, Long> byShard, boolean unknown) {
    static final Marks NONE = new Marks(Map.of(), false);
    static final Marks UNKNOWN = new Marks(Map.of(), true);

    long of(String shard) {
      return unknown ? Lsn.PRIMARY : byShard.getOrDefault(shard, Lsn.NONE);
    }
  }

  private record Local(Map<String, Long> byShard, long expiresAtMs) {
    Local with(String shard, long lsn, long expiresAtMs) {
      Map<String, Long> next = new HashMap<>(byShard);
      next.merge(shard, lsn, Lsn::max);
      return new Local(Map.copyOf(next), expiresAtMs);
    }
  }

  /** The memoized Redis lookup of one request, kept in {@link Viewer#consistency}. */
  private record RequestMarks(Future<Marks> remote) {}

  /** Null when no shard has replicas: then nothing asks for marks. */
  private final Redis redis;
  private final long ttlMs;
  private final Breaker breaker;
  private final ConcurrentHashMap<Long, Local> local = new ConcurrentHashMap<>();

  ReadYourWrites(Vertx vertx, Redis redis, long ttlMs, RedisConfig redisConfig) {
    this.redis = redis;
    this.ttlMs = ttlMs;
    this.breaker = RedisClients.breaker(vertx, redisConfig, "redis-marks", BREAKER_MS,
        "reads of signed-in users go to primaries", redis);
  }

  /**
   * The WAL position a replica must have replayed before it may serve this viewer on this shard:
   * {@link Lsn#NONE} if any replica will do, {@link Lsn#PRIMARY} if only the primary will.
   * Reads Redis at most once per request.
   */
  Future<Long> markFor(Viewer viewer, String shard) {
    if (viewer.isAnonymous()) return Future.succeededFuture(Lsn.NONE);
    long user = viewer.user();
    return remote(viewer).map(marks -> Lsn.max(marks.of(shard), localMark(user, shard)));
  }

  /** Records a committed write; the returned future completes once the mark is stored (or given up on). */
  Future<Void> record(Viewer viewer, String shard, long lsn) {
    if (viewer.isAnonymous()) return Future.succeededFuture();
    long user = viewer.user();
    long now = System.currentTimeMillis();
    local.compute(user, (k, old) -> (old == null || old.expiresAtMs() <= now ? new Local(Map.of(), 0) : old)
        .with(shard, lsn, now + ttlMs));
    if (breaker.isOpen()) return Future.succeededFuture();
    Request store = Request.cmd(Command.EVAL).arg(STORE_MAX).arg(1).arg(KEY_PREFIX + user)
        .arg(shard).arg(Lsn.toKey(lsn)).arg(ttlMs);
    return breaker.call(() -> redis.send(store)).<Void>mapEmpty().otherwiseEmpty();
  }

  /** Drops local marks older than the TTL; the replica monitor calls it on every check. */
  void prune(long nowMs) {
    local.values().removeIf(marks -> marks.expiresAtMs() <= nowMs);
  }

  int localUsers() {
    return local.size();
  }

  /** {@code available}, {@code unavailable} (skipped after a failure) or {@code unused} (no replicas). */
  String redisStatus() {
    if (redis == null) return "unused";
    return breaker.isOpen() ? "unavailable" : "available";
  }

  private long localMark(long user, String shard) {
    Local marks = local.get(user);
    return marks == null || marks.expiresAtMs() <= System.currentTimeMillis()
        ? Lsn.NONE : marks.byShard().getOrDefault(shard, Lsn.NONE);
  }

  private Future<Marks> remote(Viewer viewer) {
    return ((RequestMarks) viewer.consistency(() -> new RequestMarks(lookup(viewer.user())))).remote();
  }

  private Future<Marks> lookup(long user) {
    if (breaker.isOpen()) return Future.succeededFuture(Marks.UNKNOWN);
    return breaker.call(() -> redis.send(Request.cmd(Command.HGETALL).arg(KEY_PREFIX + user)))
        .map(ReadYourWrites::parse)
        .otherwise(Marks.UNKNOWN);
  }

  /** HGETALL answers a map (RESP3) or a flat field/value array (RESP2). */
  static Marks parse(Response response) {
    if (response == null || response.size() == 0) return Marks.NONE;
    Map<String, Long> byShard = new HashMap<>();
    if (response.isMap()) {
      for (String field : response.getKeys()) byShard.put(field, Lsn.fromKey(response.get(field).toString()));
    } else {
      for (int i = 0; i + 1 < response.size(); i += 2) {
        byShard.put(response.get(i).toString(), Lsn.fromKey(response.get(i + 1).toString()));
      }
    }
    return new Marks(byShard, false);
  }

  /** The marks' Redis breaker (also there without replicas, when it is never called). */
  Breaker breaker() {
    return breaker;
  }

  Future<Void> close() {
    return redis == null ? Future.succeededFuture() : redis.close();
  }
}
