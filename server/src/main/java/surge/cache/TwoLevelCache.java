package surge.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One named cache: L1 in this process (Caffeine, bounded, expire after write) and L2 in Redis
 * ({@code surge:cache:<namespace>:<name>:<key>}, TTL ± jitter), in front of a loader that reads the database.
 *
 * <p><b>Coalescing.</b> Concurrent misses on one key on this node share one flight (L2 lookup,
 * then at most one load); only the flight that is still current when it lands fills L1, so an
 * invalidation that arrives mid-flight is never undone by it.
 *
 * <p><b>Invalidation.</b> {@link #evictLocal} drops the L1 entry and the flight. The L2 side is a
 * tombstone ({@value #TOMBSTONE}, kept {@link #tombstoneMs}) rather than a DEL: L2 fills use SET NX,
 * so a load that read the database before the write cannot put its old value back into L2 while the
 * tombstone stands. A reader that meets a tombstone loads from the database and fills only L1.
 *
 * <p><b>Strict readers</b> ({@code strict = true}: signed-in viewers, who may have just written on
 * another node) skip L1 and never join a flight that began before the tombstone they saw, so they
 * see their own writes even before the invalidation message reached this node.
 *
 * <p>Loaders must be viewer-independent and read from primaries (the caller's job), so that a
 * load that starts after a write commits sees it. Values in L1 are shared: callers must not
 * mutate what {@link #get} returns.
 */
public final class TwoLevelCache<V> {
  static final String TOMBSTONE = "~";

  private final String name;
  private final String prefix;
  private final CacheRedis redis;
  private final Cache<String, Entry<V>> l1;
  private final long ttlMs;
  private final int jitterPercent;
  private final long tombstoneMs;
  private final Function<V, String> encode;
  private final Function<String, V> decode;
  private final ConcurrentHashMap<String, Flight<V>> flights = new ConcurrentHashMap<>();
  private final boolean enabled;

  final LongAdder l1Hits = new LongAdder();
  final LongAdder l2Hits = new LongAdder();
  final LongAdder misses = new LongAdder();
  final LongAdder loads = new LongAdder();
  final LongAdder coalesced = new LongAdder();
  final LongAdder fallbacks = new LongAdder();
  final LongAdder invalidations = new LongAdder();

  /** An L1 entry: it dies when its L2 original does (wall clock, {@code expiresAtMs}), never later. */
  private record Entry<V>(V value, long expiresAtMs) {}

  /** A loaded or L2 value with the wall-clock time it expires everywhere. */
  private record Timed<V>(V value, long expiresAtMs) {}

  /** One in-flight lookup; {@code after} is the tombstone it started after, null for an ordinary one. */
  private record Flight<V>(Future<V> future, Context context, String after) {}

  TwoLevelCache(String name, String namespace, CacheRedis redis, boolean enabled, long l1MaxEntries, long ttlMs, int jitterPercent,
                long tombstoneMs, Function<V, String> encode, Function<String, V> decode) {
    this.name = name;
    this.prefix = namespace + name + ":";
    this.redis = redis;
    this.enabled = enabled;
    this.ttlMs = ttlMs;
    this.jitterPercent = jitterPercent;
    this.tombstoneMs = tombstoneMs;
    this.encode = encode;
    this.decode = decode;
    // Caffeine's upkeep (eviction, expiry) on the calling thread: bounded, amortised work instead of a hand-off to the
    // common fork-join pool after writes, which on a small box competes with the event loops for the same cores.
    this.l1 = Caffeine.newBuilder().executor(Runnable::run).maximumSize(l1MaxEntries).expireAfter(new Expiry<String, Entry<V>>() {
      @Override
      public long expireAfterCreate(String key, Entry<V> entry, long now) {
        return TimeUnit.MILLISECONDS.toNanos(Math.max(0, entry.expiresAtMs() - System.currentTimeMillis()));
      }

      @Override
      public long expireAfterUpdate(String key, Entry<V> entry, long now, long current) {
        return expireAfterCreate(key, entry, now);
      }

      @Override
      public long expireAfterRead(String key, Entry<V> entry, long now, long current) {
        return current;
      }
    }).build();
  }

  public static TwoLevelCache<JsonObject> json(String name, String namespace, CacheRedis redis, boolean enabled,
                                               long l1MaxEntries, long ttlMs, int jitterPercent, long tombstoneMs) {
    return new TwoLevelCache<>(name, namespace, redis, enabled, l1MaxEntries, ttlMs, jitterPercent, tombstoneMs,
        JsonObject::encode, JsonObject::new);
  }

  public String name() {
    return name;
  }

  /**
   * The value for {@code key}: from L1 (non-strict readers), L2, or {@code loader}, which runs at
   * most once per key at a time on this node. Without the invalidation subscription (Redis down) the
   * loader runs directly; with the breaker open (Redis failing or slow) L1 still serves non-strict
   * readers and L2 is skipped. Loader failures are not cached.
   */
  public Future<V> get(String key, boolean strict, Supplier<Future<V>> loader) {
    if (!enabled) return loader.get();
    if (redis == null || !redis.subscribed() || (strict && redis.breakerOpen())) {
      fallbacks.increment(); // deaf to invalidations, or a strict read without L2: the database answers
      return loader.get();
    }
    if (strict) {
      return l2(key).compose(found -> {
        if (found instanceof Hit<V> hit) {
          l2Hits.increment();
          return Future.succeededFuture(hit.timed().value());
        }
        String after = found instanceof Tomb<V> tomb ? tomb.marker() : null;
        Flight<V> current = flights.get(key);
        if (current != null && (after == null || after.equals(current.after()))) {
          coalesced.increment();
          return onCaller(current);
        }
        misses.increment();
        return onCaller(fly(key, after, () -> loadAndFill(key, after == null, loader)));
      });
    }
    Entry<V> cached = l1.getIfPresent(key);
    if (cached != null && cached.expiresAtMs() > System.currentTimeMillis()) {
      l1Hits.increment();
      return Future.succeededFuture(cached.value());
    }
    Flight<V> current = flights.get(key);
    if (current != null) {
      coalesced.increment();
      return onCaller(current);
    }
    return onCaller(fly(key, null, () -> l2(key).compose(found -> {
      if (found instanceof Hit<V> hit) {
        l2Hits.increment();
        return Future.succeededFuture(hit.timed());
      }
      misses.increment();
      return loadAndFill(key, !(found instanceof Tomb<V>), loader);
    })));
  }

  /**
   * The values of many keys for a non-strict reader, with at most one L2 round trip ({@code MGET}) and one call of
   * {@code loader} for all the keys that neither level has: what {@link #get} does per key, batched (a page of
   * articles and their authors). Keys another flight is loading join that flight. Missing values are absent from
   * the map; {@code loader} answers only the keys it found.
   */
  public Future<java.util.Map<String, V>> getAll(java.util.List<String> keys,
                                                  Function<java.util.List<String>, Future<java.util.Map<String, V>>> loader) {
    if (!enabled || redis == null || !redis.subscribed()) {
      if (enabled) fallbacks.add(keys.size());
      return loader.apply(keys);
    }
    java.util.Map<String, V> found = new java.util.HashMap<>();
    java.util.Map<String, Future<V>> waiting = new java.util.LinkedHashMap<>();
    java.util.List<String> missing = new java.util.ArrayList<>();
    for (String key : keys) {
      Entry<V> cached = l1.getIfPresent(key);
      if (cached != null && cached.expiresAtMs() > System.currentTimeMillis()) {
        l1Hits.increment();
        found.put(key, cached.value());
      } else if (!waiting.containsKey(key)) {
        Flight<V> current = flights.get(key);
        if (current != null) {
          coalesced.increment();
          waiting.put(key, onCaller(current));
        } else {
          missing.add(key);
        }
      }
    }
    if (!missing.isEmpty()) {
      Future<java.util.Map<String, Found<V>>> inL2 = l2All(missing);
      Future<java.util.Map<String, V>> loaded = inL2.compose(l2 -> {
        java.util.List<String> toLoad = missing.stream().filter(k -> !(l2.get(k) instanceof Hit<V>)).toList();
        misses.add(toLoad.size());
        if (toLoad.isEmpty()) return Future.succeededFuture(java.util.Map.of());
        loads.increment();
        return loader.apply(toLoad);
      });
      for (String key : missing) {
        waiting.put(key, onCaller(fly(key, null, () -> inL2.compose(l2 -> {
          if (l2.get(key) instanceof Hit<V> hit) {
            l2Hits.increment();
            return Future.succeededFuture(hit.timed());
          }
          boolean fillL2 = !(l2.get(key) instanceof Tomb<V>);
          return loaded.map(values -> filled(key, values.get(key), fillL2));
        }))));
      }
    }
    if (waiting.isEmpty()) return Future.succeededFuture(found);
    return Future.join(new java.util.ArrayList<>(waiting.values())).transform(ignored -> {
      for (var wait : waiting.entrySet()) {
        if (wait.getValue().failed()) return Future.failedFuture(wait.getValue().cause());
        if (wait.getValue().result() != null) found.put(wait.getKey(), wait.getValue().result());
      }
      return Future.succeededFuture(found);
    });
  }

  /** A value just loaded: it expires one jittered TTL from now, and goes into L2 (SET NX) unless a tombstone stands. */
  private Timed<V> filled(String key, V value, boolean fillL2) {
    long ttl = jittered(ttlMs, jitterPercent, ThreadLocalRandom.current().nextDouble());
    long expiresAt = System.currentTimeMillis() + ttl;
    if (value != null && fillL2) {
      redis.send(Request.cmd(Command.SET).arg(prefix + key).arg(expiresAt + "|" + encode.apply(value))
          .arg("PX").arg(ttl).arg("NX"));
    }
    return new Timed<>(value, expiresAt);
  }

  /** {@link #l2} for many keys in one {@code MGET}. */
  private Future<java.util.Map<String, Found<V>>> l2All(java.util.List<String> keys) {
    Request mget = Request.cmd(Command.MGET);
    for (String key : keys) mget.arg(prefix + key);
    return redis.send(mget).map(values -> {
      java.util.Map<String, Found<V>> out = new java.util.HashMap<>();
      for (int i = 0; i < keys.size(); i++) out.put(keys.get(i), parse(values == null ? null : values.get(i)));
      return out;
    }).otherwise(failure -> {
      fallbacks.add(keys.size());
      java.util.Map<String, Found<V>> out = new java.util.HashMap<>();
      for (String key : keys) out.put(key, new Tomb<>("failed"));
      return out;
    });
  }

  /**
   * The value L1 holds for {@code key} now, or null: no lookup, no counting. A caller that assembled something from
   * values it got here checks with it that they are still current (the same instances).
   */
  public V peek(String key) {
    Entry<V> cached = l1.getIfPresent(key);
    return cached != null && cached.expiresAtMs() > System.currentTimeMillis() ? cached.value() : null;
  }

  /** Starts a flight (or joins one another thread started a moment ago); L1 is filled only by a flight still current. */
  private Flight<V> fly(String key, String after, Supplier<Future<Timed<V>>> work) {
    Promise<V> promise = Promise.promise();
    Flight<V> mine = new Flight<>(promise.future(), Vertx.currentContext(), after);
    Flight<V> existing = after == null ? flights.putIfAbsent(key, mine) : flights.put(key, mine);
    if (after == null && existing != null) {
      coalesced.increment();
      return existing;
    }
    Future<Timed<V>> done;
    try {
      done = work.get();
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    done.onComplete(result -> {
      boolean current = flights.remove(key, mine);
      if (result.failed()) {
        promise.fail(result.cause());
        return;
      }
      Timed<V> timed = result.result();
      if (current && timed.value() != null) l1.put(key, new Entry<>(timed.value(), timed.expiresAtMs()));
      promise.complete(timed.value());
    });
    return mine;
  }

  /** Runs the loader; the value expires one jittered TTL from now, in L2 (filled SET NX) and in every L1 it reaches. */
  private Future<Timed<V>> loadAndFill(String key, boolean fillL2, Supplier<Future<V>> loader) {
    loads.increment();
    // SET NX: a tombstone (a write since this load may have begun) wins; failures only trip the breaker
    return loader.get().map(value -> filled(key, value, fillL2));
  }

  private sealed interface Found<V> permits Hit, Tomb, Absent {}
  private record Hit<V>(Timed<V> timed) implements Found<V> {}
  private record Tomb<V>(String marker) implements Found<V> {}
  private record Absent<V>() implements Found<V> {}

  /**
   * L2 lookup. Values are stored as {@code <expiresAtMs>|<encoded>}, so an L1 copy dies with its
   * original. A Redis failure reads like a tombstone: load, and fill nothing in L2.
   */
  private Future<Found<V>> l2(String key) {
    return redis.send(Request.cmd(Command.GET).arg(prefix + key)).map(this::parse).otherwise(failure -> {
      fallbacks.increment();
      return new Tomb<>("failed");
    });
  }

  private Found<V> parse(Response response) {
    if (response == null) return new Absent<>();
    String text = response.toString();
    if (text.startsWith(TOMBSTONE)) return new Tomb<>(text);
    int bar = text.indexOf('|');
    long expiresAt = Long.parseLong(text, 0, bar, 10);
    if (expiresAt <= System.currentTimeMillis()) return new Absent<>();
    return new Hit<>(new Timed<>(decode.apply(text.substring(bar + 1)), expiresAt));
  }

  /**
   * A write changed {@code key}: tombstone it in L2 and drop it here. The returned future completes
   * once Redis answered (or failed: then the entry ages out within the TTL); callers publish the
   * invalidation to the other nodes after it.
   */
  public Future<Void> invalidate(String key, String marker) {
    evictLocal(key);
    if (!enabled || redis == null || redis.breakerOpen()) return Future.succeededFuture();
    return redis.send(Request.cmd(Command.SET).arg(prefix + key).arg(TOMBSTONE + marker).arg("PX").arg(tombstoneMs))
        .<Void>mapEmpty().otherwiseEmpty();
  }

  /** Drops {@code key} from L1 and forgets its flight (an invalidation heard from the bus). */
  public void evictLocal(String key) {
    invalidations.increment();
    flights.remove(key);
    l1.invalidate(key);
  }

  /** Drops every L1 entry and flight (list generation moved on, or invalidations may have been missed). */
  public void clearLocal() {
    flights.clear();
    l1.invalidateAll();
  }

  /** The TTL with jitter: uniformly within {@code ttl ± ttl * jitterPercent / 100}, never below 1 ms. */
  static long jittered(long ttlMs, int jitterPercent, double random01) {
    double spread = ttlMs * jitterPercent / 100.0;
    return Math.max(1, Math.round(ttlMs - spread + 2 * spread * random01));
  }

  /** Completes on the caller's context, whichever event loop ran the flight. */
  private static <V> Future<V> onCaller(Flight<V> flight) {
    Context here = Vertx.currentContext();
    if (here == null || here == flight.context() || flight.future().isComplete()) return flight.future();
    Promise<V> promise = Promise.promise();
    flight.future().onComplete(result -> here.runOnContext(v -> promise.handle(result)));
    return promise.future();
  }

  /** Reads answered from L1 since start (metrics). */
  public long l1HitCount() {
    return l1Hits.sum();
  }

  /** Reads answered from L2 (Redis) since start (metrics). */
  public long l2HitCount() {
    return l2Hits.sum();
  }

  /** Reads neither level could answer since start (metrics). */
  public long missCount() {
    return misses.sum();
  }

  public long l1Size() {
    return l1.estimatedSize();
  }

  JsonObject status() {
    return new JsonObject()
        .put("l1Hits", l1Hits.sum())
        .put("l2Hits", l2Hits.sum())
        .put("misses", misses.sum())
        .put("loads", loads.sum())
        .put("coalesced", coalesced.sum())
        .put("fallbacks", fallbacks.sum())
        .put("invalidations", invalidations.sum())
        .put("l1Entries", l1.estimatedSize());
  }
}
