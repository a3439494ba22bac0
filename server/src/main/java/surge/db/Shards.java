package surge.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.SqlClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import surge.config.ConfigException;
import surge.core.ApiError;
import surge.core.Viewer;
import surge.redis.RedisClients;
import surge.redis.RedisConfig;

/**
 * Routes keys to physical shards: ids carry their logical shard, names are hashed to one. Every
 * repository reaches PostgreSQL through here.
 *
 * <p>Consistency during a logical-shard move (bin/shard-move): the map file is re-read every
 * {@code db.shardMapReloadMs}, so a running node follows the tool without a restart. While the tool
 * copies a logical shard it is frozen: writes to it answer 503 with Retry-After, reads keep going to
 * the source, which still holds every row. The switch assigns it to the target and unfreezes it in
 * one file write; from then on this node reads and writes it on the target. The tool waits two
 * reload intervals plus a grace for in-flight writes after each step, so no node writes to the
 * source after the copy and no node reads the source after its rows are deleted.
 */
public final class Shards {
  private static final Logger log = LoggerFactory.getLogger(Shards.class);
  private final Vertx vertx;
  private final List<PhysicalShard> physical;
  private final ShardMap evenSplit;
  private final ReadYourWrites marks;
  private final int checkMs;
  private volatile ShardMap map;
  private volatile String mapText;
  private volatile boolean mapUnreadable;
  private long reloadTimer = -1;

  private Shards(Vertx vertx, List<PhysicalShard> physical, ShardMap evenSplit, ShardMap map, String mapText,
                 ReadYourWrites marks, int checkMs) {
    this.vertx = vertx;
    this.physical = physical;
    this.evenSplit = evenSplit;
    this.map = map;
    this.mapText = mapText;
    this.marks = marks;
    this.checkMs = checkMs;
  }

  /**
   * Builds the pools (they connect lazily), the Redis client for read-your-writes marks when replicas
   * are configured, and the map-file reload timer when a map file is configured.
   */
  public static Shards connect(Vertx vertx, DbConfig db, RedisConfig redis) {
    ShardMap even = evenSplit(db);
    String text = readMapFile(db);
    ShardMap map = withFile(even, text, db);
    boolean replicas = map.physical().stream().anyMatch(p -> !p.replicas().isEmpty());
    ReadYourWrites marks = new ReadYourWrites(vertx, replicas ? RedisClients.client(vertx, redis, 8, "surge-redis-marks") : null,
        db.readYourWritesTtlMs(), redis);
    List<PhysicalShard> physical = new ArrayList<>();
    for (ShardMap.Physical spec : map.physical()) physical.add(PhysicalShard.connect(vertx, db, spec, marks));
    Shards shards = new Shards(vertx, physical, even, map, text, marks, db.replicaCheckMs());
    if (!db.shardMapFile().isBlank()) {
      shards.reloadTimer = vertx.setPeriodic(db.shardMapReloadMs(), tick -> shards.reload(db.shardMapFile()));
    }
    return shards;
  }

  /** The configured physical shards with the map file's overrides, if one is configured. Blocking: start-up and tools only. */
  public static ShardMap loadMap(DbConfig db) {
    return withFile(evenSplit(db), readMapFile(db), db);
  }

  /** The physical shards of {@code db.shards} with the even split, before any map file. */
  public static ShardMap evenSplit(DbConfig db) {
    return ShardMap.evenSplit(ShardMap.parse(db.shards(),
        new ShardMap.Endpoint(db.host(), db.port()), ShardMap.endpoints(db.replicas(), db.port())));
  }

  /** The map file's text, or null when none is configured or it does not exist yet (the even split holds). */
  private static String readMapFile(DbConfig db) {
    if (db.shardMapFile().isBlank()) return null;
    Path file = Path.of(db.shardMapFile());
    try {
      return Files.exists(file) ? Files.readString(file) : null;
    } catch (IOException e) {
      throw ConfigException.key("db.shardMapFile", "cannot read " + file + ": " + e.getMessage());
    }
  }

  private static ShardMap withFile(ShardMap even, String text, DbConfig db) {
    if (text == null) return even;
    try {
      return even.withOverrides(new JsonObject(text));
    } catch (RuntimeException e) {
      throw ConfigException.key("db.shardMapFile", "cannot use " + db.shardMapFile() + ": " + e.getMessage());
    }
  }

  /**
   * One reload tick: reads the file without blocking and swaps the map when the text changed. A
   * missing or unusable file keeps the current map: falling back to the even split mid-flight would
   * send logical shards to databases that do not hold them.
   */
  private void reload(String file) {
    vertx.fileSystem().readFile(file).onComplete(read -> {
      if (read.failed()) {
        if (mapText != null && !mapUnreadable) log.warn("shard map file {} cannot be read, keeping the current map", file);
        mapUnreadable = true; // warned once, not once per tick
        return;
      }
      mapUnreadable = false;
      String text = read.result().toString(StandardCharsets.UTF_8);
      if (text.equals(mapText)) return;
      mapText = text; // an unusable text is reported once, not once per tick
      try {
        useMap(evenSplit.withOverrides(new JsonObject(text)));
        log.info("shard map reloaded from {}: {} logical shard(s) frozen", file, map.frozenCount());
      } catch (RuntimeException e) {
        log.error("shard map file {} is unusable, keeping the current map: {}", file, e.getMessage());
      }
    });
  }

  public ShardMap map() {
    return map;
  }

  /** Replaces the map (the shard-move tool's switch); physical shards themselves do not change at run time. */
  public void useMap(ShardMap next) {
    this.map = next;
  }

  public List<PhysicalShard> all() {
    return physical;
  }

  public PhysicalShard byLogical(int logical) {
    return physical.get(map.physicalOf(logical));
  }

  /** The shard of a user or article id. */
  public PhysicalShard byId(long id) {
    return byLogical(Ids.shardOf(id));
  }

  /** The shard of a directory row (username, lower-cased email). */
  public PhysicalShard byKey(String key) {
    return byLogical(Ids.shardForKey(key));
  }

  /**
   * The one write path, the counterpart of {@link PhysicalShard#read}: refused with 503 while the logical shard is
   * frozen for a move, {@code statement} runs on the primary of the physical shard that holds it, and the write is
   * recorded for the writer's read-your-writes before its result is handed back.
   */
  public <T> Future<T> write(long id, Viewer writer, Function<SqlClient, Future<T>> statement) {
    return writeLogical(Ids.shardOf(id), result -> writer, statement);
  }

  /** {@link #write} on a logical shard, for a writer known only from the result (a user being registered). */
  public <T> Future<T> writeLogical(int logical, Function<? super T, Viewer> writer,
                                    Function<SqlClient, Future<T>> statement) {
    PhysicalShard shard = byLogical(logical);
    return writableLogical(logical)
        .compose(ok -> statement.apply(shard.primary()))
        .compose(result -> shard.wrote(writer.apply(result)).map(result));
  }

  /** Fails with 503 while {@code logical} is frozen for a move. */
  private Future<Void> writableLogical(int logical) {
    return map.isFrozen(logical) ? Future.failedFuture(ApiError.unavailable("shard", 2)) : Future.succeededFuture();
  }

  /** Groups items by the physical shard their key routes to, keeping encounter order. */
  public <T> Map<PhysicalShard, List<T>> group(Collection<T> items, ToLongFunction<T> id) {
    Map<PhysicalShard, List<T>> out = new LinkedHashMap<>();
    for (T item : items) out.computeIfAbsent(byId(id.applyAsLong(item)), k -> new ArrayList<>()).add(item);
    return out;
  }

  /** Ready means every primary answers. */
  public Future<Void> ping() {
    List<Future<?>> pings = new ArrayList<>();
    for (PhysicalShard shard : physical) pings.add(shard.primary().query("SELECT 1").execute());
    return Future.all(pings).mapEmpty();
  }

  /** Checks every replica once (the {@link ReplicaMonitor} calls it every {@code db.replicaCheckMs}). */
  Future<Void> checkReplicas() {
    marks.prune(System.currentTimeMillis());
    List<Future<?>> checks = new ArrayList<>();
    for (PhysicalShard shard : physical) checks.add(shard.check());
    return Future.join(checks).mapEmpty();
  }

  int checkMs() {
    return checkMs;
  }

  /** The operator view ({@code GET /health/shards}): every physical shard, its replicas, their lag and health, counters. */
  public JsonObject status() {
    int[] counts = map.counts();
    JsonArray shards = new JsonArray();
    for (int i = 0; i < physical.size(); i++) shards.add(physical.get(i).status(counts[i]));
    return new JsonObject().put("shards", shards).put("readYourWrites", new JsonObject()
        .put("redis", marks.redisStatus())
        .put("breaker", marks.breaker().status())
        .put("localUsers", marks.localUsers()));
  }

  /** The circuit breaker of the read-your-writes marks' Redis calls. */
  public surge.resilience.Breaker marksBreaker() {
    return marks.breaker();
  }

  public Future<Void> close() {
    if (reloadTimer >= 0) vertx.cancelTimer(reloadTimer);
    List<Future<?>> closing = new ArrayList<>();
    for (PhysicalShard shard : physical) closing.add(shard.close());
    closing.add(marks.close());
    return Future.join(closing).mapEmpty();
  }
}
