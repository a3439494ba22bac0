package surge.timeline;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.time.Duration;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import surge.cache.Caches;
import surge.db.DbConfig;
import surge.redis.LuaScript;
import surge.redis.RedisClients;
import surge.redis.RedisConfig;
import surge.resilience.Breaker;

/**
 * The feed's timelines in Redis: per user a sorted set of the newest articles of the authors they follow, capped at
 * {@code timeline.capacity}, written by the consumers' fan-out ({@link TimelineConsumer}), by the user's own follows
 * and unfollows, and by a rebuild from PostgreSQL when a reader finds it missing or built for other authors. Also the
 * node's view of whether timelines can be trusted now ({@link TimelineTrust}) and of the hybrid authors (more
 * followers than {@code timeline.fanoutMaxFollowers}: merged in at read time, never fanned out).
 *
 * <p>Every command goes through the {@code redis-timeline} circuit breaker; a failure is the caller's cue to use the
 * scatter-gather query, never an error for the client.
 */
public final class Timelines {
  /** Followers per fan-out script call: a few hundred keys keep one call short for Redis. */
  static final int FAN_OUT_BATCH = 200;
  /** How long an applied event id is remembered: far longer than any redelivery (a rebalance, a relay retry). */
  static final int SEEN_SECONDS = 86_400;

  private final TimelineConfig config;
  private final Redis redis;
  private final Breaker breaker;
  private final String prefix;
  private final TimelineStats stats = new TimelineStats();
  private volatile Set<Long> hybrid = Set.of();
  /** Ranges kept at most; one holds a page's worth of ids ({@code offset + limit} entries), about 1 kB at 20. */
  static final int RANGES_KEPT = 20_000;
  private final Caches caches;
  private final TimelineChanges changes = new TimelineChanges();
  /**
   * Ranges as {@link #read} found them, by viewer, fingerprint and depth, with the clock of {@link #changes} before
   * the read: served again while none of their authors and not their viewer changed since (see {@link #kept}).
   * Their lifetime is only a safety net: the cache's memo lifetime, and at most half an unread timeline's, so a
   * reader still touches the timeline in Redis long before it expires.
   */
  private final Cache<String, Kept> ranges;

  private record Kept(long seen, Range range) {}

  private Timelines(Vertx vertx, TimelineConfig config, DbConfig db, RedisConfig redisConfig, Caches caches) {
    this.config = config;
    this.caches = caches;
    long breakerMs = caches.redisBreakerMs();
    long keptMs = Math.min(caches.scopedMemoTtlMs(), config.ttlMs() / 2);
    // Runnable::run: maintenance on the calling event loop, no hand-off to the common pool per read
    this.ranges = Caffeine.newBuilder().maximumSize(RANGES_KEPT).expireAfterWrite(Duration.ofMillis(keptMs))
        .executor(Runnable::run).build();
    caches.watchTimelines(new Caches.TimelineWatch() {
      @Override
      public void changed(List<Long> authors, List<Long> viewers) {
        changes.authorsChanged(authors);
        changes.viewersChanged(viewers);
      }

      @Override
      public void forgetAll() {
        changes.forgetAll();
      }
    });
    this.prefix = "surge:tl:" + Caches.namespaceOf(db) + ":";
    this.redis = RedisClients.client(vertx, redisConfig, 4, "surge-redis-timeline");
    this.breaker = RedisClients.breaker(vertx, redisConfig, "redis-timeline", breakerMs,
        "feeds use the scatter-gather query", redis);
  }

  /**
   * The node's timelines; null when {@code timeline.enabled} is off (every feed is the scatter-gather query). Changes
   * are announced on the cache's invalidation channel, and its Redis breaker time is theirs.
   */
  public static Timelines create(Vertx vertx, TimelineConfig config, DbConfig db, RedisConfig redis, Caches caches) {
    return config.enabled() ? new Timelines(vertx, config, db, redis, caches) : null;
  }

  public TimelineConfig config() {
    return config;
  }

  public TimelineStats stats() {
    return stats;
  }

  public Breaker breaker() {
    return breaker;
  }

  /** Whether a reader may use timelines now: Redis answers and the consumers and the outbox are not far behind. */
  public boolean usable() {
    return !breaker.isOpen() && stats.trusted();
  }

  /** Whether this author is merged in at read time (this node's view, refreshed every {@code timeline.lagReportMs}). */
  public boolean hybrid(long author) {
    return hybrid.contains(author);
  }

  /** The authors a user's timeline holds: whom they follow, less hybrid authors and themselves (both merged on read). */
  public Set<Long> timelineAuthors(long user, Collection<Long> followees) {
    Set<Long> out = new HashSet<>();
    for (long id : followees) if (id != user && !hybrid(id)) out.add(id);
    return out;
  }

  /**
   * A feed reader's timeline authors ({@link #timelineAuthors}), the followees merged in at read time instead, and
   * the authors' fingerprint.
   */
  public record Authors(Set<Long> ids, List<Long> merged, String fingerprint) {}

  private record KnownAuthors(Set<Long> followees, Set<Long> hybrid, Authors authors) {}

  /** Per reader, what {@link #authors} found last: the same followee set and hybrid set give the same answer. */
  private final Cache<Long, KnownAuthors> knownAuthors = Caffeine.newBuilder().maximumSize(RANGES_KEPT)
      .executor(Runnable::run).build();

  /**
   * The reader's {@link Authors} for these followees. Followee sets come from the viewer cache, one instance per
   * version, so a reader whose followees and the hybrid authors did not change gets the answer computed before
   * (hundreds of ids are not copied, filtered and mixed again on every read).
   */
  public Authors authors(long user, Set<Long> followees) {
    Set<Long> hybridNow = hybrid;
    KnownAuthors known = knownAuthors.getIfPresent(user);
    if (known != null && known.followees() == followees && known.hybrid() == hybridNow) return known.authors();
    Set<Long> ids = timelineAuthors(user, followees);
    List<Long> merged = followees.stream().filter(id -> !ids.contains(id)).toList();
    Authors authors = new Authors(ids, merged, Entry.fingerprint(ids));
    knownAuthors.put(user, new KnownAuthors(followees, hybridNow, authors));
    return authors;
  }

  String key(String kind, long user) {
    return prefix + kind + user;
  }

  Future<Response> send(Request request) {
    return breaker.call(() -> redis.send(request));
  }

  /** By its digest, inside the breaker: a Redis that lost the script (NOSCRIPT) is sent its source, not counted as down. */
  private Future<Response> eval(LuaScript script, List<String> keys, List<String> args) {
    return breaker.call(() -> script.run(redis::send, keys, args));
  }

  /**
   * The newest {@code n} entries of the user's timeline if it was built for authors with fingerprint {@code fp};
   * otherwise a range whose status says why not ({@code missing}, {@code stale}, {@code building}).
   *
   * <p>It is the range this node read before while none of {@code authors} (the timeline's, whose fingerprint is
   * {@code fp}) and not the user changed since, as far as this node has heard: no Redis command at all. Only while
   * the node hears invalidations; only {@code ok} ranges are kept.
   */
  public Future<Range> read(long user, Set<Long> authors, String fp, int n) {
    if (!caches.hearsInvalidations()) return readFromRedis(user, fp, n);
    String key = user + ":" + fp + ":" + n;
    Kept kept = ranges.getIfPresent(key);
    if (kept != null && changes.unchangedSince(kept.seen(), user, authors)) {
      stats.rangeKept();
      return Future.succeededFuture(kept.range());
    }
    long seen = changes.now();
    return readFromRedis(user, fp, n).onSuccess(range -> {
      if (range.ok()) ranges.put(key, new Kept(seen, range));
    });
  }

  private Future<Range> readFromRedis(long user, String fp, int n) {
    return eval(TimelineScripts.READ, List.of(key("tl:", user), key("tm:", user)),
        List.of(fp, Integer.toString(n), Long.toString(config.ttlSeconds()))).map(Range::of);
  }

  /**
   * Starts a rebuild: the timeline is emptied and marked, so fan-outs that arrive while the database is read land in
   * it and deletes are remembered. Returns the rebuild's token for {@link #complete}.
   */
  public Future<String> begin(long user) {
    String token = UUID.randomUUID().toString();
    return eval(TimelineScripts.BEGIN, rebuildKeys(user), List.of(token)).map(token);
  }

  /** Finishes a rebuild with the database's newest entries; false when a later rebuild took over. */
  public Future<Boolean> complete(long user, String token, String fp, List<Entry> entries, boolean trimmed) {
    List<String> args = new ArrayList<>(List.of(token, fp, trimmed ? "1" : "0", Integer.toString(config.capacity()),
        Long.toString(config.ttlSeconds())));
    addPairs(args, entries);
    return eval(TimelineScripts.COMPLETE, rebuildKeys(user), args).map(r -> r != null && r.toLong() == 1)
        .compose(done -> announceViewer(user).map(done));
  }

  private List<String> rebuildKeys(long user) {
    return List.of(key("tl:", user), key("tm:", user), key("tg:", user));
  }

  private static void addPairs(List<String> args, List<Entry> entries) {
    for (Entry e : entries) {
      args.add(Long.toString(e.createdMs()));
      args.add(Entry.member(e.id()));
    }
  }

  /**
   * The user followed {@code author}, whose newest articles are {@code articles} ({@code fits}: all of them); the
   * fingerprints are of the user's timeline authors before and after.
   */
  public Future<Void> followed(long user, long author, String before, String after, List<Entry> articles, boolean fits) {
    List<String> args = new ArrayList<>(List.of(before, after, fits ? "1" : "0", Integer.toString(config.capacity()),
        Long.toString(author)));
    addPairs(args, articles);
    return eval(TimelineScripts.FOLLOW, followKeys(user), args).compose(done -> announceViewer(user));
  }

  /** The user unfollowed {@code author}, whose newest articles (up to the capacity) are {@code articleIds}. */
  public Future<Void> unfollowed(long user, long author, String before, String after, List<Long> articleIds) {
    List<String> args = new ArrayList<>(List.of(before, after, Long.toString(author)));
    for (long id : articleIds) args.add(Entry.member(id));
    return eval(TimelineScripts.UNFOLLOW, followKeys(user), args).compose(done -> announceViewer(user));
  }

  private List<String> followKeys(long user) {
    return List.of(key("tl:", user), key("tm:", user), key("tu:", user));
  }

  /** Adds a new article to the existing timelines of {@code followers}; completes with how many took it. */
  public Future<Long> fanOut(List<Long> followers, long author, Entry article) {
    List<String> args = List.of(Long.toString(article.createdMs()), Entry.member(article.id()), Long.toString(author),
        Integer.toString(config.capacity()));
    // Only a timeline that took the entry changed (a repeated event, or followers without timelines, change none).
    return batched(followers, "tu:", TimelineScripts.FAN_OUT, args)
        .compose(added -> added == 0 ? Future.succeededFuture(added) : announceAuthor(author).map(added));
  }

  /** Removes a deleted article from the timelines of {@code followers}. */
  public Future<Long> remove(List<Long> followers, long author, long articleId) {
    return batched(followers, "tg:", TimelineScripts.REMOVE, List.of(Entry.member(articleId)))
        .compose(removed -> announceAuthor(author).map(removed));
  }

  /** Tells every node (this one at once) that ranges with this author may be out of date; never fails. */
  private Future<Void> announceAuthor(long author) {
    return caches.timelinesChanged(List.of(author), List.of()).otherwiseEmpty();
  }

  private Future<Void> announceViewer(long user) {
    return caches.timelinesChanged(List.of(), List.of(user)).otherwiseEmpty();
  }

  /** One script call per {@link #FAN_OUT_BATCH} followers, one after another: a big fan-out never floods Redis. */
  private Future<Long> batched(List<Long> users, String third, LuaScript script, List<String> args) {
    Future<Long> done = Future.succeededFuture(0L);
    for (int from = 0; from < users.size(); from += FAN_OUT_BATCH) {
      List<Long> batch = users.subList(from, Math.min(users.size(), from + FAN_OUT_BATCH));
      List<String> keys = new ArrayList<>(batch.size() * 3);
      for (long user : batch) {
        keys.add(key("tl:", user));
        keys.add(key("tm:", user));
        keys.add(key(third, user));
      }
      done = done.compose(sum -> eval(script, keys, args).map(r -> sum + (r == null ? 0 : r.toLong())));
    }
    return done;
  }

  /** Removes entries a reader found stale (deleted articles, authors no longer in the timeline). */
  public Future<Void> drop(long user, Collection<Long> articleIds) {
    Request zrem = Request.cmd(Command.ZREM).arg(key("tl:", user));
    articleIds.forEach(id -> zrem.arg(Entry.member(id)));
    changes.viewersChanged(List.of(user)); // the reader falls back now; no kept range may serve the stale entries again
    return send(zrem).compose(done -> announceViewer(user));
  }

  /** Whether the event was applied before (completed fan-outs only: a half-done one is done again, harmlessly). */
  public Future<Boolean> seen(String eventId) {
    return send(Request.cmd(Command.EXISTS).arg(prefix + "ev:" + eventId)).map(r -> r != null && r.toLong() == 1);
  }

  public Future<Void> markSeen(String eventId) {
    return send(Request.cmd(Command.SET).arg(prefix + "ev:" + eventId).arg("1").arg("EX").arg(SEEN_SECONDS)).mapEmpty();
  }

  /** The consumer found the author's follower count on one side of the threshold: record it for every node. */
  public Future<Void> markHybrid(long author, boolean isHybrid) {
    if (isHybrid == hybrid(author)) return Future.succeededFuture();
    Set<Long> next = new HashSet<>(hybrid);
    if (isHybrid) next.add(author); else next.remove(author);
    hybrid = Set.copyOf(next);
    return send(Request.cmd(isHybrid ? Command.SADD : Command.SREM).arg(prefix + "hybrid").arg(author)).mapEmpty();
  }

  /** Re-reads the hybrid authors (every node, every {@code timeline.lagReportMs}). */
  Future<Void> refreshHybrid() {
    return send(Request.cmd(Command.SMEMBERS).arg(prefix + "hybrid")).map(members -> {
      Set<Long> next = new HashSet<>();
      if (members != null) for (Response m : members) next.add(m.toLong());
      if (!next.equals(hybrid)) hybrid = Set.copyOf(next); // a new instance only for a change (see authors())
      return null;
    });
  }

  /** This consumer's lag per partition it holds, and the topic's partition count, for every node's trust check. */
  Future<Void> reportLag(Map<Integer, Long> lagMs, int partitions) {
    long now = System.currentTimeMillis();
    Request hset = Request.cmd(Command.HSET).arg(prefix + "lag").arg("partitions").arg(partitions);
    lagMs.forEach((p, lag) -> hset.arg("p" + p).arg(lag + ":" + now));
    return send(hset).mapEmpty();
  }

  /**
   * Every partition's last lag report, {@code <lagMs>:<reportedAtMs>} per partition (null where none came), for the
   * topic's partition count the consumers reported; empty before any report.
   */
  Future<List<String>> lagReports() {
    String key = prefix + "lag";
    return send(Request.cmd(Command.HGET).arg(key).arg("partitions")).compose(count -> {
      int partitions = count == null ? 0 : count.toInteger();
      if (partitions == 0) return Future.succeededFuture(List.<String>of());
      Request hmget = Request.cmd(Command.HMGET).arg(key);
      for (int p = 0; p < partitions; p++) hmget.arg("p" + p);
      return send(hmget).map(reports -> {
        List<String> out = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) out.add(reports.get(p) == null ? null : reports.get(p).toString());
        return out;
      });
    });
  }

  /** Bounded, like every step of a node's stop: a client stuck on a Redis that went must not hold it. */
  public Future<Void> close() {
    return redis.close().timeout(5, TimeUnit.SECONDS).otherwiseEmpty();
  }

  /** What {@link #read} found: {@code ok} with the newest entries, the set's size and whether it was cut. */
  public record Range(String status, boolean trimmed, long size, List<Entry> entries) {
    public boolean ok() {
      return status.equals("ok");
    }

    static Range of(Response r) {
      String status = r.get(0).toString();
      if (!status.equals("ok")) return new Range(status, false, 0, List.of());
      Response items = r.get(3);
      List<Entry> entries = new ArrayList<>(items.size() / 2);
      for (int i = 0; i + 1 < items.size(); i += 2) entries.add(Entry.of(items.get(i).toString(), items.get(i + 1).toString()));
      return new Range(status, "1".equals(r.get(1).toString()), r.get(2).toLong(), entries);
    }
  }
}
