package surge.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import surge.config.ConfigException;
import surge.config.SurgeConfig;
import surge.http.ApiError;

/**
 * Routes keys to physical shards: ids carry their logical shard, names are hashed to one. Every
 * repository reaches PostgreSQL through here.
 */
public final class Shards {
  private final List<PhysicalShard> physical;
  private volatile ShardMap map;

  private Shards(List<PhysicalShard> physical, ShardMap map) {
    this.physical = physical;
    this.map = map;
  }

  public static Shards connect(Vertx vertx, SurgeConfig.Db db) {
    ShardMap map = loadMap(db);
    List<PhysicalShard> physical = new ArrayList<>();
    for (ShardMap.Physical spec : map.physical()) physical.add(PhysicalShard.connect(vertx, db, spec));
    return new Shards(physical, map);
  }

  /** The configured physical shards with the map file's overrides, if one is configured. */
  public static ShardMap loadMap(SurgeConfig.Db db) {
    ShardMap even = ShardMap.evenSplit(ShardMap.parse(db.shards(),
        new ShardMap.Endpoint(db.host(), db.port()), ShardMap.endpoints(db.replicas(), db.port())));
    if (db.shardMapFile().isBlank()) return even;
    Path file = Path.of(db.shardMapFile());
    if (!Files.exists(file)) return even;
    try {
      return even.withOverrides(new JsonObject(Files.readString(file)));
    } catch (IOException | RuntimeException e) {
      throw new ConfigException("config key db.shardMapFile: cannot use " + file + ": " + e.getMessage());
    }
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

  /** Fails with 503 while the logical shard of {@code id} is frozen for a move. */
  public Future<Void> writable(long id) {
    return writableLogical(Ids.shardOf(id));
  }

  public Future<Void> writableLogical(int logical) {
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

  public Future<Void> close() {
    List<Future<?>> closing = new ArrayList<>();
    for (PhysicalShard shard : physical) closing.add(shard.close());
    return Future.join(closing).mapEmpty();
  }
}
