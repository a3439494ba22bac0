package surge.cache;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import surge.cluster.ClusterMembership;
import surge.config.SurgeConfig;
import surge.db.Viewer;
import surge.resilience.Breaker;

/**
 * The node's caches, built once and shared by every HTTP verticle:
 * <ul>
 *   <li>{@code article}: article id → the article without viewer fields (author as an id);</li>
 *   <li>{@code profile}: {@code id:<userId>} and {@code name:<username>} → id, username, bio, image;</li>
 *   <li>{@code list}: anonymous responses of {@code GET /articles} (no favorited filter) and
 *       {@code GET /tags}, keyed by the current list generation, author, tag, limit, offset.</li>
 * </ul>
 *
 * <p>Invalidation: a write tombstones the changed keys in L2, drops them from this node's L1, moves
 * the list generation on (a new random value: old list keys are never read again and expire within
 * the list TTL), and only then answers. The same change is published on Redis channel
 * {@code surge:cache:<ns>:invalidate}; every node's subscription forwards it to its local event-bus address
 * {@value #ADDRESS}, whose consumer drops the keys from that node's L1.
 *
 * <p>Clustered nodes ({@code cluster.enabled}, {@link Vertx#isClustered()}) publish the change on the clustered
 * event bus instead, which reaches every node's consumer (this one's included); they publish nothing on the
 * Redis channel. Their subscription stays: it still gates L1 (see {@link CacheRedis}) and forwards to this
 * node's consumer only ({@link DeliveryOptions#setLocalOnly local-only}), so a message a standalone node
 * publishes there is applied once per node, never fanned out again over the cluster.
 */
public final class Caches {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Caches.class);
  /** Event-bus address of invalidations: {@code {"cache": name, "keys": [...], "gen": listGeneration}}. */
  public static final String ADDRESS = "surge.cache.invalidate";
  private final String genKey;
  /** {@code surge:cache:<ns>:}; ns is derived from the database configuration, so deployments sharing a Redis stay apart. */
  private final String namespace;
  /** How long a tombstone blocks L2 fills after a write: longer than any load that began before it can take. */
  static final long TOMBSTONE_MS = 10_000;
  /**
   * How long after a write its author reads strictly (L2, never L1): far longer than an
   * invalidation takes to reach every node, which Redis delivers before the write is answered.
   */
  static final long RECENT_WRITER_MS = 10_000;
  private final ConcurrentHashMap<Long, Long> recentWriters = new ConcurrentHashMap<>();

  private final Vertx vertx;
  private final CacheRedis redis;
  private final TwoLevelCache<JsonObject> articles;
  private final TwoLevelCache<JsonObject> profiles;
  private final TwoLevelCache<JsonObject> lists;
  private final List<TwoLevelCache<JsonObject>> all;
  private final ClusterMembership.Subscription consumer;
  private final boolean enabled;
  /** Invalidations travel on the clustered event bus rather than the Redis channel. */
  private final boolean clustered;
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  private final int httpMaxAgeSeconds;
  private volatile String listGeneration = newGeneration();

  private Caches(Vertx vertx, ClusterMembership membership, SurgeConfig.Cache config, SurgeConfig.Redis redisConfig,
                 SurgeConfig.Db db) {
    this.vertx = vertx;
    this.namespace = "surge:cache:" + namespaceOf(db) + ":";
    this.genKey = namespace + "gen:list";
    this.enabled = config.enabled();
    this.httpMaxAgeSeconds = config.httpMaxAgeSeconds();
    this.redis = enabled ? new CacheRedis(vertx, redisConfig, namespace, config.redisBreakerSeconds() * 1000L,
        message -> vertx.eventBus().publish(ADDRESS, message, LOCAL), this::resynchronise) : null;
    this.clustered = vertx.isClustered();
    long entityMs = config.entityTtlSeconds() * 1000L;
    long listMs = config.listTtlSeconds() * 1000L;
    this.articles = TwoLevelCache.json("article", namespace, redis, enabled, config.l1MaxEntries(), entityMs, config.jitterPercent(), TOMBSTONE_MS);
    this.profiles = TwoLevelCache.json("profile", namespace, redis, enabled, config.l1MaxEntries(), entityMs, config.jitterPercent(), TOMBSTONE_MS);
    this.lists = TwoLevelCache.json("list", namespace, redis, enabled, config.l1MaxEntries(), listMs, config.jitterPercent(), TOMBSTONE_MS);
    this.all = List.of(articles, profiles, lists);
    // Re-registered by the membership watcher if the cluster ever loses it: a node deaf to invalidations serves stale L1.
    this.consumer = membership.<JsonObject>consumer(ADDRESS, message -> apply(message.body()));
    // Invalidations published while this node was cut off from (part of) the cluster never reached it.
    membership.onChange(this::clusterChanged);
  }

  public static Caches create(Vertx vertx, ClusterMembership membership, SurgeConfig.Cache config, SurgeConfig.Redis redis,
                              SurgeConfig.Db db) {
    return new Caches(vertx, membership, config, redis, db);
  }

  /** The circuit breaker of the cache's Redis commands; null with the cache off. */
  public Breaker redisBreaker() {
    return redis == null ? null : redis.breaker();
  }

  /** The cluster changed (a member joined, left, or this node merged back): drop every L1 and re-read the list generation. */
  private void clusterChanged(String reason) {
    if (!enabled) return;
    dropLocal();
    log.info("cluster changed ({}): L1 caches cleared", reason);
  }

  /**
   * Drops every L1 entry and in-flight load on this node and picks up the shared list generation: for when this node
   * may have missed invalidations (it was cut off from the cluster, or its subscription was lost). L2 stays: writes
   * tombstone it directly, so it is never stale for want of a message.
   */
  public void dropLocal() {
    resynchronise();
  }

  /** Completes once the invalidation consumer is registered in the (clustered) event bus. */
  public Future<Void> ready() {
    return consumer.ready();
  }

  /** A short hash of the primary endpoints and shard list: one namespace per set of databases. */
  static String namespaceOf(SurgeConfig.Db db) {
    try {
      byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
          .digest((db.host() + ":" + db.port() + "/" + db.shards()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(hash, 0, 4);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Deletes every L2 key of this deployment and clears this node's L1: for operators (and tests)
   * after databases were restored or wiped behind the application's back.
   */
  public Future<Void> flushAll() {
    for (TwoLevelCache<JsonObject> cache : all) cache.clearLocal();
    if (redis == null) return Future.succeededFuture();
    return scanAndDelete("0");
  }

  private Future<Void> scanAndDelete(String cursor) {
    return redis.send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(namespace + "*").arg("COUNT").arg(1000))
        .compose(page -> {
          String next = page.get(0).toString();
          var keys = page.get(1);
          Future<?> deleted = Future.succeededFuture();
          if (keys.size() > 0) {
            Request del = Request.cmd(Command.DEL);
            for (var key : keys) del.arg(key.toString());
            deleted = redis.send(del);
          }
          return deleted.compose(done -> next.equals("0") ? Future.<Void>succeededFuture() : scanAndDelete(next));
        });
  }

  /** {@code cache.enabled}: false means every read goes to the database, so callers need not read in cacheable parts. */
  public boolean enabled() {
    return enabled;
  }

  /** {@code http.cacheMaxAgeSeconds}: max-age of anonymous API responses. */
  public int httpMaxAgeSeconds() {
    return httpMaxAgeSeconds;
  }

  public TwoLevelCache<JsonObject> articles() {
    return articles;
  }

  public TwoLevelCache<JsonObject> profiles() {
    return profiles;
  }

  public TwoLevelCache<JsonObject> lists() {
    return lists;
  }

  /** The key prefix of list entries now; it changes on every write that can change a list. */
  public String listGeneration() {
    return listGeneration;
  }

  /** An article was created, changed, (un)favorited or deleted. Completes once L2 and this node's L1 are clean. */
  public Future<Void> articleChanged(Long articleId, Viewer writer) {
    return changed(articles, articleId == null ? List.of() : List.of(Long.toString(articleId)), writer);
  }

  /** A user's public profile changed (name, bio, image): their profile entries and every list page. */
  public Future<Void> profileChanged(long userId, String... usernames) {
    List<String> keys = new java.util.ArrayList<>();
    keys.add("id:" + userId);
    for (String name : usernames) if (name != null) keys.add("name:" + name);
    return changed(profiles, keys, Viewer.of(userId, true));
  }

  /**
   * Whether this reading request must read strictly (skip L1): its user wrote within
   * {@link #RECENT_WRITER_MS}, here or on another node (a Redis marker the write set before it
   * answered). Anonymous viewers never are; one Redis GET for signed-in ones unless this node knows.
   */
  public Future<Boolean> strict(Viewer viewer) {
    if (!enabled || viewer.isAnonymous()) return Future.succeededFuture(false);
    Long until = recentWriters.get(viewer.user());
    if (until != null) {
      if (until > System.currentTimeMillis()) return Future.succeededFuture(true);
      recentWriters.remove(viewer.user(), until);
    }
    if (!redis.available()) return Future.succeededFuture(true); // the cache is bypassed anyway
    return redis.send(Request.cmd(Command.EXISTS).arg(writerKey(viewer.user())))
        .map(found -> found != null && found.toInteger() > 0)
        .otherwise(true);
  }

  private String writerKey(long user) {
    return namespace + "w:" + user;
  }

  private Future<Void> changed(TwoLevelCache<JsonObject> cache, List<String> keys, Viewer writer) {
    if (!enabled) return Future.succeededFuture();
    String marker = newGeneration();
    String generation = newGeneration();
    useGeneration(generation);
    List<Future<Void>> tombs = new java.util.ArrayList<>();
    if (!writer.isAnonymous()) {
      recentWriters.put(writer.user(), System.currentTimeMillis() + RECENT_WRITER_MS);
      if (!redis.breakerOpen()) {
        tombs.add(redis.send(Request.cmd(Command.SET).arg(writerKey(writer.user())).arg("1").arg("PX").arg(RECENT_WRITER_MS))
            .<Void>mapEmpty().otherwiseEmpty());
      }
      if (recentWriters.size() > 100_000) recentWriters.values().removeIf(t -> t <= System.currentTimeMillis());
    }
    for (String key : keys) tombs.add(cache.invalidate(key, marker));
    if (!redis.breakerOpen()) {
      tombs.add(redis.send(Request.cmd(Command.SET).arg(genKey).arg(generation)).<Void>mapEmpty().otherwiseEmpty());
    }
    JsonObject message = new JsonObject().put("cache", cache.name()).put("keys", new JsonArray(List.copyOf(keys)))
        .put("gen", generation);
    if (clustered) {
      // The clustered bus is fire-and-forget: other nodes drop their copies within a bus hop of the answer
      // (the writer's own reads are strict meanwhile, see strict()).
      return Future.join(tombs).map(done -> {
        vertx.eventBus().publish(ADDRESS, message);
        return null;
      });
    }
    // Answer only after L2 is clean and the other nodes were told (Redis delivers to subscribers before PUBLISH returns).
    return Future.join(tombs).compose(done -> redis.breakerOpen()
        ? Future.<Void>succeededFuture() : redis.publish(message).otherwiseEmpty());
  }

  /** An invalidation heard on the event bus (from this node or another). */
  private void apply(JsonObject message) {
    String name = message.getString("cache");
    JsonArray keys = message.getJsonArray("keys", new JsonArray());
    for (TwoLevelCache<JsonObject> cache : all) {
      if (!cache.name().equals(name)) continue;
      for (int i = 0; i < keys.size(); i++) cache.evictLocal(keys.getString(i));
    }
    String generation = message.getString("gen");
    if (generation != null && !generation.equals(listGeneration)) useGeneration(generation);
  }

  private void useGeneration(String generation) {
    listGeneration = generation;
    lists.clearLocal();
  }

  /** The subscription was lost or is back: drop every L1 and pick up the shared list generation. */
  private void resynchronise() {
    if (all == null) return; // still being built: nothing cached yet
    for (TwoLevelCache<JsonObject> cache : all) cache.clearLocal();
    if (redis == null || redis.breakerOpen()) return;
    String mine = listGeneration;
    redis.send(Request.cmd(Command.SET).arg(genKey).arg(mine).arg("NX"))
        .compose(set -> redis.send(Request.cmd(Command.GET).arg(genKey)))
        .onSuccess(current -> {
          if (current != null && !current.toString().equals(listGeneration)) useGeneration(current.toString());
        });
  }

  private static String newGeneration() {
    return UUID.randomUUID().toString().substring(0, 13);
  }

  /** Every cache of the node ({@code article}, {@code profile}, {@code list}), for metrics. */
  public List<TwoLevelCache<JsonObject>> all() {
    return all;
  }

  /** The operator view ({@code GET /health/cache}): Redis state and counters per cache. */
  public JsonObject status() {
    JsonObject caches = new JsonObject();
    for (TwoLevelCache<JsonObject> cache : all) caches.put(cache.name(), cache.status());
    JsonObject out = new JsonObject().put("enabled", enabled).put("listGeneration", listGeneration).put("caches", caches);
    if (redis != null) out.mergeIn(redis.status());
    return out;
  }

  public Future<Void> close() {
    return consumer.unregister().compose(done -> redis == null ? Future.succeededFuture() : redis.close());
  }
}
