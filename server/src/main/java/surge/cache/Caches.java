package surge.cache;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.util.List;
import java.util.Map;
import surge.cluster.ClusterMembership;
import surge.core.Viewer;
import surge.db.DbConfig;
import surge.redis.RedisConfig;
import surge.resilience.Breaker;

/**
 * The node's caches, built once and shared by every HTTP verticle:
 * <ul>
 *   <li>{@code article}: article id → the article without viewer fields (author as an id);</li>
 *   <li>{@code profile}: {@code id:<userId>} and {@code name:<username>} → id, username, bio, image;</li>
 *   <li>{@code list}: list membership ({@code GET /articles} pages as article ids and a count) and the tag list,
 *       keyed by the generations of the list scopes they depend on ({@link ListScopes});</li>
 *   <li>{@code viewer}: per-viewer state, {@code fol:<userId>} (whom they follow) and {@code fav:<userId>} (what they
 *       favorited), changed only by that viewer's own writes.</li>
 * </ul>
 *
 * <p>Invalidation: a write tombstones the changed keys in L2, drops them from this node's L1, moves the generations
 * of the list scopes whose membership it changed (only those), marks its writer, and only then answers. The same
 * change is published on Redis channel {@code surge:cache:<ns>:invalidate}; every node's subscription forwards it to
 * its local event-bus address {@value #ADDRESS}, whose consumer drops the keys from that node's L1.
 *
 * <p>Clustered nodes ({@code cluster.enabled}, {@link Vertx#isClustered()}) publish the change on the clustered
 * event bus instead, which reaches every node's consumer (this one's included); they publish nothing on the
 * Redis channel. Their subscription stays: it still gates L1 (see {@link CacheRedis}) and forwards to this
 * node's consumer only ({@link DeliveryOptions#setLocalOnly local-only}), so a message a standalone node
 * publishes there is applied once per node, never fanned out again over the cluster.
 *
 * <p>Read-your-writes by version: each write leaves its writer a mark in Redis (a fresh token, {@link
 * #RECENT_WRITER_MS}) and carries the same token in its invalidation. A node that applied that invalidation knows
 * the writer's token; a signed-in reader whose latest mark this node has not applied yet reads strictly (L2 and
 * databases, never L1) until it has. So a writer reads caches as anyone else does as soon as their write reached the
 * node serving them, usually before their next request.
 */
public final class Caches {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Caches.class);
  /**
   * Event-bus address of invalidations: {@code {"evict": {cache: [keys]}, "gens": {scope: generation},
   * "writer": userId, "token": mark}}, and the feed's timeline announcements {@code {"tl": {"from": node,
   * "authors": [ids], "viewers": [ids]}}} ({@link #timelinesChanged}).
   */
  public static final String ADDRESS = "surge.cache.invalidate";
  /** The scope of the global list pages. */
  public static final String GLOBAL = "g";
  /** The scope of {@code GET /tags}. */
  public static final String TAG_LIST = "tags";
  /**
   * The scope every article deletion moves, and nothing else: for memos of counts over many authors (a trimmed
   * timeline's {@code articlesCount}) that a new article already changes through their own key.
   */
  public static final String DELETIONS = "del";
  /** {@code surge:cache:<ns>:}; ns is derived from the database configuration, so deployments sharing a Redis stay apart. */
  private final String namespace;
  /** How long a tombstone blocks L2 fills after a write: longer than any load that began before it can take. */
  static final long TOMBSTONE_MS = 10_000;
  /**
   * How long a writer's mark lives: far longer than an invalidation takes to reach every node. A node that has not
   * applied the write's invalidation by then was cut off, and clears its L1 when it is back.
   */
  static final long RECENT_WRITER_MS = 10_000;
  /** The last write token this node applied, per writer: their reads here need not be strict. */
  private final com.github.benmanes.caffeine.cache.Cache<Long, String> applied = com.github.benmanes.caffeine.cache.Caffeine
      .newBuilder().maximumSize(200_000).expireAfterWrite(java.time.Duration.ofMillis(2 * RECENT_WRITER_MS)).build();

  private final Vertx vertx;
  private final CacheRedis redis;
  private final TwoLevelCache<JsonObject> articles;
  private final TwoLevelCache<JsonObject> profiles;
  private final TwoLevelCache<JsonObject> lists;
  private final TwoLevelCache<IdSet> viewers;
  private final ListScopes scopes;
  private final WriterMarks marks;
  private final Derived<Object> pages;
  private final List<TwoLevelCache<?>> all;
  private final ClusterMembership.Subscription consumer;
  private final boolean enabled;
  /** Invalidations travel on the clustered event bus rather than the Redis channel. */
  private final boolean clustered;
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  private final long listTtlMs;
  private final long viewerTtlMs;
  private final long redisBreakerMs;

  private Caches(Vertx vertx, ClusterMembership membership, CacheConfig config, RedisConfig redisConfig,
                 DbConfig db) {
    this.vertx = vertx;
    this.namespace = "surge:cache:" + namespaceOf(db) + ":";
    this.enabled = config.enabled();
    this.listTtlMs = config.listTtlMs();
    this.viewerTtlMs = config.viewerTtlMs();
    this.redisBreakerMs = config.redisBreakerMs();
    this.redis = enabled ? new CacheRedis(vertx, redisConfig, namespace, config.redisBreakerMs(),
        message -> vertx.eventBus().publish(ADDRESS, message, LOCAL), this::resynchronise) : null;
    this.clustered = vertx.isClustered();
    long entityMs = config.entityTtlMs();
    long listMs = config.listTtlMs();
    this.articles = TwoLevelCache.json("article", namespace, redis, enabled, config.l1MaxEntries(), entityMs, config.jitterPercent(), TOMBSTONE_MS);
    this.profiles = TwoLevelCache.json("profile", namespace, redis, enabled, config.l1MaxEntries(), entityMs, config.jitterPercent(), TOMBSTONE_MS);
    this.lists = TwoLevelCache.json("list", namespace, redis, enabled, config.l1MaxEntries(), listMs, config.jitterPercent(), TOMBSTONE_MS);
    this.viewers = new TwoLevelCache<>("viewer", namespace, redis, enabled, config.viewerL1MaxEntries(), config.viewerTtlMs(),
        config.jitterPercent(), TOMBSTONE_MS, IdSet::encode, IdSet::decode);
    this.scopes = new ListScopes(namespace, redis);
    this.marks = new WriterMarks(redis, namespace + "w:");
    this.pages = new Derived<>("pages", config.l1MaxEntries());
    this.all = List.of(articles, profiles, lists, viewers);
    // Re-registered by the membership watcher if the cluster ever loses it: a node deaf to invalidations serves stale L1.
    this.consumer = membership.<JsonObject>consumer(ADDRESS, message -> apply(message.body()));
    // Invalidations published while this node was cut off from (part of) the cluster never reached it.
    membership.onChange(this::clusterChanged);
  }

  public static Caches create(Vertx vertx, ClusterMembership membership, CacheConfig config, RedisConfig redis,
                              DbConfig db) {
    return new Caches(vertx, membership, config, redis, db);
  }

  /** The circuit breaker of the cache's Redis commands; null with the cache off. */
  public Breaker redisBreaker() {
    return redis == null ? null : redis.breaker();
  }

  /** The cluster changed (a member joined, left, or this node merged back): drop every L1 and re-read list generations. */
  private void clusterChanged(String reason) {
    if (!enabled) return;
    dropLocal();
    log.info("cluster changed ({}): L1 caches cleared", reason);
  }

  /**
   * Drops every L1 entry and in-flight load on this node and forgets the list generations it knew: for when this node
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
  public static String namespaceOf(DbConfig db) {
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
    for (TwoLevelCache<?> cache : all) cache.clearLocal();
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
  /** How long a cached list page may live ({@code cache.listTtlMs}), for other list-like memos. */
  public long listTtlMs() {
    return listTtlMs;
  }

  /** {@code cache.redisBreakerMs}: how long an open Redis breaker skips Redis, for the node's other Redis clients too. */
  public long redisBreakerMs() {
    return redisBreakerMs;
  }

  /**
   * How long a memo keyed by the generations of what it depends on ({@link #listKey}) may live: as long as a viewer's
   * sets ({@code cache.viewerTtlMs}), since a change moves its key; with the cache off, when no generation moves, as
   * long as a list page.
   */
  public long scopedMemoTtlMs() {
    return enabled ? viewerTtlMs : listTtlMs;
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

  /** List pages assembled on this node from cached parts ({@link Derived}); the caller knows their type. */
  @SuppressWarnings("unchecked")
  public <V> Derived<V> pages() {
    return (Derived<V>) pages;
  }

  public TwoLevelCache<IdSet> viewers() {
    return viewers;
  }

  /**
   * A further cache of JSON values on this deployment's Redis and namespace, for values addressed by their content
   * (GraphQL's persisted queries, keyed by their SHA-256): such an entry never changes, so it needs no invalidation
   * and is not cleared with the others when this node goes deaf to them. Off when the cache is off.
   */
  public TwoLevelCache<JsonObject> contentAddressed(String name, long ttlMs, long l1MaxEntries) {
    return TwoLevelCache.json(name, namespace, redis, enabled, l1MaxEntries, ttlMs, 0, TOMBSTONE_MS);
  }

  /**
   * A set of the viewer's own state from the {@code viewer} cache ({@link #followeesKey}, {@link #favoritesKey}),
   * loaded by {@code loader} from primaries; null where the cache is not used (cache off, requests that write).
   */
  public Future<IdSet> viewerSet(Viewer viewer, String key, java.util.function.Supplier<Future<IdSet>> loader) {
    if (!enabled || viewer.isAnonymous() || viewer.writing()) return Future.succeededFuture();
    return strict(viewer).compose(strict -> viewers.get(key, strict, loader));
  }

  /** The scope of one tag's list pages (length-prefixed: no tag can make two scopes share a name). */
  public static String tagScope(String tag) {
    return "t" + tag.length() + "=" + tag;
  }

  /** The scope of one author's list pages. */
  public static String authorScope(long authorId) {
    return "a=" + authorId;
  }

  /**
   * The list-cache key of an entry that depends on {@code scopes}: {@code base} with each scope's current generation.
   * Strict readers take the generations Redis has, which a write moved before it answered.
   */
  public Future<String> listKey(String base, List<String> scopeNames, boolean strict) {
    return (strict ? scopes.shared(scopeNames) : scopes.current(scopeNames)).map(gens -> {
      StringBuilder key = new StringBuilder(base);
      for (int i = 0; i < gens.size(); i++) key.append('|').append(scopeNames.get(i)).append('@').append(gens.get(i));
      return key.toString();
    });
  }

  /**
   * An article was created, changed or deleted: its entry, and the list scopes whose membership changed (none for an
   * edit that keeps the tags). Completes once L2 and this node's L1 are clean.
   */
  public Future<Void> articleChanged(Long articleId, Viewer writer, java.util.Collection<String> movedScopes) {
    return changed(articleId == null ? Map.of() : Map.<TwoLevelCache<?>, List<String>>of(articles, List.of(Long.toString(articleId))), movedScopes, writer);
  }

  /** The writer (un)favorited an article: its entry (the count) and the writer's favorites; no list moves. */
  public Future<Void> favoriteChanged(long articleId, Viewer writer) {
    return changed(Map.<TwoLevelCache<?>, List<String>>of(articles, List.of(Long.toString(articleId)), viewers, List.of(favoritesKey(writer.user()))),
        List.of(), writer);
  }

  /** The writer followed or unfollowed someone: their followee set. */
  public Future<Void> followChanged(Viewer writer) {
    return changed(Map.<TwoLevelCache<?>, List<String>>of(viewers, List.of(followeesKey(writer.user()))), List.of(), writer);
  }

  /**
   * A user's public profile changed (name, bio, image): their profile entries. Lists hold article ids and show
   * authors from the profile cache, so no list moves; author pages are keyed by id, found through {@code name:}.
   */
  public Future<Void> profileChanged(long userId, String... usernames) {
    List<String> keys = new java.util.ArrayList<>();
    keys.add("id:" + userId);
    for (String name : usernames) if (name != null) keys.add("name:" + name);
    return changed(Map.<TwoLevelCache<?>, List<String>>of(profiles, keys), List.of(), Viewer.of(userId, true));
  }

  /** The {@code viewer} cache key of whom a user follows. */
  public static String followeesKey(long userId) {
    return "fol:" + userId;
  }

  /** The {@code viewer} cache key of what a user favorited. */
  public static String favoritesKey(long userId) {
    return "fav:" + userId;
  }

  /**
   * Whether this reading request must read strictly (skip L1): its user's latest write, here or on another node,
   * left a mark (a token in Redis, set before the write answered) whose invalidation this node has not applied yet.
   * Anonymous viewers never are; signed-in ones cost one Redis lookup per request (memoized on the viewer), batched
   * with the other lookups of the same event-loop turn ({@link WriterMarks}).
   */
  public Future<Boolean> strict(Viewer viewer) {
    if (!enabled || viewer.isAnonymous()) return Future.succeededFuture(false);
    return viewer.strictReads(() -> {
      if (!redis.available()) return Future.succeededFuture(true); // the cache is bypassed anyway
      long user = viewer.user();
      return marks.of(user).map(mark -> mark != null && !mark.equals(applied.getIfPresent(user))).otherwise(true);
    });
  }

  private String writerKey(long user) {
    return marks.key(user);
  }

  private Future<Void> changed(Map<TwoLevelCache<?>, List<String>> evictions, java.util.Collection<String> movedScopes,
                               Viewer writer) {
    if (!enabled) return Future.succeededFuture();
    String marker = ListScopes.fresh();
    Map<String, String> gens = scopes.move(movedScopes);
    List<Future<Void>> tombs = new java.util.ArrayList<>();
    JsonObject evict = new JsonObject();
    evictions.forEach((cache, keys) -> {
      for (String key : keys) tombs.add(cache.invalidate(key, marker));
      evict.put(cache.name(), new JsonArray(List.copyOf(keys)));
    });
    tombs.add(scopes.store(gens));
    JsonObject message = new JsonObject().put("evict", evict).put("gens", new JsonObject(new java.util.HashMap<>(gens)));
    if (!writer.isAnonymous()) {
      String token = ListScopes.fresh();
      applied.put(writer.user(), token); // this node's L1 is clean of the write already
      message.put("writer", writer.user()).put("token", token);
      if (!redis.breakerOpen()) {
        tombs.add(redis.send(Request.cmd(Command.SET).arg(writerKey(writer.user())).arg(token).arg("PX").arg(RECENT_WRITER_MS))
            .<Void>mapEmpty().otherwiseEmpty());
      }
    }
    return Future.join(tombs).compose(done -> publish(message));
  }

  /** Tells every node, this one included; completes once sent (the Redis channel: once delivered to subscribers). */
  private Future<Void> publish(JsonObject message) {
    if (clustered) {
      // The clustered bus is fire-and-forget: other nodes drop their copies within a bus hop of the answer
      // (meanwhile the writer's mark makes its reads there strict, see strict()).
      vertx.eventBus().publish(ADDRESS, message);
      return Future.succeededFuture();
    }
    // Answer only after L2 is clean and the other nodes were told (Redis delivers to subscribers before PUBLISH returns).
    return redis.breakerOpen() ? Future.succeededFuture() : redis.publish(message).otherwiseEmpty();
  }

  /**
   * Who keeps derived timeline ranges on this node ({@code surge.timeline}): it hears every timeline change any node
   * announces ({@link #timelinesChanged}), every write's writer, and when this node may have missed messages.
   */
  public interface TimelineWatch {
    void changed(List<Long> authors, List<Long> viewers);

    void forgetAll();
  }

  private volatile TimelineWatch timelineWatch;
  /** Marks this node's own timeline announcements, which it applied when sending them and skips when they echo back. */
  private final String origin = java.util.UUID.randomUUID().toString();

  public void watchTimelines(TimelineWatch watch) {
    this.timelineWatch = watch;
  }

  /**
   * Timelines in Redis changed: fan-outs or removals of these authors' articles, or these viewers' own timelines.
   * Announced to every node on the invalidation channel once Redis holds the change; nothing with the cache off.
   */
  public Future<Void> timelinesChanged(List<Long> authors, List<Long> viewers) {
    if (!enabled || (authors.isEmpty() && viewers.isEmpty())) return Future.succeededFuture();
    TimelineWatch watch = timelineWatch;
    if (watch != null) watch.changed(authors, viewers); // here at once, not a message later
    return publish(new JsonObject().put("tl", new JsonObject().put("from", origin)
        .put("authors", new JsonArray(List.copyOf(authors))).put("viewers", new JsonArray(List.copyOf(viewers)))));
  }

  /**
   * Whether memos this node derives from announced changes may be used now: the cache is on and this node hears
   * invalidations (as for L1).
   */
  public boolean hearsInvalidations() {
    return enabled && redis != null && redis.subscribed();
  }

  /** An invalidation heard on the event bus (from this node or another); the writer's token last, once L1 is clean. */
  private void apply(JsonObject message) {
    JsonObject evict = message.getJsonObject("evict", new JsonObject());
    for (TwoLevelCache<?> cache : all) {
      JsonArray keys = evict.getJsonArray(cache.name());
      if (keys == null) continue;
      for (int i = 0; i < keys.size(); i++) cache.evictLocal(keys.getString(i));
    }
    JsonObject gens = message.getJsonObject("gens");
    if (gens != null && !gens.isEmpty()) {
      Map<String, String> moved = new java.util.HashMap<>();
      gens.forEach(e -> moved.put(e.getKey(), String.valueOf(e.getValue())));
      scopes.apply(moved);
    }
    Long writer = message.getLong("writer");
    String token = message.getString("token");
    TimelineWatch watch = timelineWatch;
    JsonObject tl = message.getJsonObject("tl");
    // An echo of this node's own announcement would only throw away ranges read after it was applied.
    if (watch != null) timelines(watch, tl == null || origin.equals(tl.getString("from")) ? null : tl, writer);
    if (writer != null && token != null) applied.put(writer, token);
  }

  /** Any write of a viewer may have changed their timeline (a follow moves it before it is adjusted). */
  private static void timelines(TimelineWatch watch, JsonObject tl, Long writer) {
    List<Long> viewers = new java.util.ArrayList<>();
    List<Long> authors = new java.util.ArrayList<>();
    if (writer != null) viewers.add(writer);
    if (tl != null) {
      tl.getJsonArray("authors", new JsonArray()).forEach(id -> authors.add(((Number) id).longValue()));
      tl.getJsonArray("viewers", new JsonArray()).forEach(id -> viewers.add(((Number) id).longValue()));
    }
    if (!authors.isEmpty() || !viewers.isEmpty()) watch.changed(authors, viewers);
  }

  /** The subscription was lost or is back: drop every L1 and forget the list generations this node knew. */
  private void resynchronise() {
    if (all == null) return; // still being built: nothing cached yet
    for (TwoLevelCache<?> cache : all) cache.clearLocal();
    pages.clear();
    scopes.forget();
    applied.invalidateAll();
    TimelineWatch watch = timelineWatch;
    if (watch != null) watch.forgetAll();
  }

  /** Every cache of the node ({@code article}, {@code profile}, {@code list}, {@code viewer}), for metrics. */
  public List<TwoLevelCache<?>> all() {
    return all;
  }

  /** The operator view ({@code GET /health/cache}): Redis state and counters per cache. */
  public JsonObject status() {
    JsonObject caches = new JsonObject();
    for (TwoLevelCache<?> cache : all) caches.put(cache.name(), cache.status());
    JsonObject out = new JsonObject().put("enabled", enabled).put("listScopes", scopes.known()).put("caches", caches)
        .put("pages", pages.status());
    if (redis != null) out.mergeIn(redis.status());
    return out;
  }

  public Future<Void> close() {
    return consumer.unregister().compose(done -> redis == null ? Future.succeededFuture() : redis.close());
  }
}
