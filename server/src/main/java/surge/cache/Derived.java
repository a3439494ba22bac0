package surge.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * Values this node built from cached parts (a list page assembled from its membership, articles and authors), kept
 * in memory only. Nothing invalidates them: the caller's {@code current} test checks, on every use, that each part
 * is still the instance L1 holds, so a write to any part (which replaces or drops it) retires the value at once.
 */
public final class Derived<V> {
  private final String name;
  private final Cache<String, V> values;
  private final LongAdder reused = new LongAdder();
  private final LongAdder built = new LongAdder();

  Derived(String name, long maxEntries) {
    this.name = name;
    // upkeep on the calling thread, as surge.cache.TwoLevelCache's L1
    this.values = Caffeine.newBuilder().executor(Runnable::run).maximumSize(maxEntries).expireAfterAccess(Duration.ofMinutes(2)).build();
  }

  public String name() {
    return name;
  }

  /** The value kept for {@code key} if {@code current} still holds for it; else null (and it is dropped). */
  public V reuse(String key, Predicate<V> current) {
    V value = values.getIfPresent(key);
    if (value == null) return null;
    if (current.test(value)) {
      reused.increment();
      return value;
    }
    values.asMap().remove(key, value);
    return null;
  }

  /** Keeps a value just built, if its parts are still current (a write may have landed while it was built). */
  public V keep(String key, V value, Predicate<V> current) {
    built.increment();
    if (current.test(value)) values.put(key, value);
    return value;
  }

  void clear() {
    values.invalidateAll();
  }

  JsonObject status() {
    return new JsonObject().put("reused", reused.sum()).put("built", built.sum()).put("entries", values.estimatedSize());
  }
}
