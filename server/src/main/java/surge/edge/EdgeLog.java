package surge.edge;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge's warnings, summed up: a hostile client makes thousands of connections, and a line (let alone a stack
 * trace) per connection would flood the log and cost the node more than the client. The first event of a kind is
 * logged at once, with one example; later ones are counted and logged as one line per kind at most once a minute.
 */
final class EdgeLog {
  private static final Logger log = LoggerFactory.getLogger("surge.edge");
  static final long PERIOD_MS = 60_000;

  private final Map<String, Kind> kinds = new ConcurrentHashMap<>();

  private static final class Kind {
    final LongAdder since = new LongAdder();
    final LongAdder total = new LongAdder();
    final AtomicLong lastLogged = new AtomicLong(Long.MIN_VALUE);
  }

  /** One event of {@code kind} ({@code what}: what happened, {@code example}: this one's detail). */
  void event(String kind, String what, String example) {
    Kind k = kinds.computeIfAbsent(kind, name -> new Kind());
    k.since.increment();
    k.total.increment();
    long now = System.currentTimeMillis();
    long last = k.lastLogged.get();
    if (last != Long.MIN_VALUE && now - last < PERIOD_MS) return;
    if (!k.lastLogged.compareAndSet(last, now)) return; // another thread logs this period
    long count = k.since.sumThenReset();
    if (last == Long.MIN_VALUE) {
      log.warn("edge: {} ({}, e.g. {}); more of these are summed up once a minute", what, kind, example);
    } else {
      log.warn("edge: {} {} time(s) in the last {} s ({}, latest {}); {} since start", what, count,
          (now - last) / 1000, kind, example, k.total.sum());
    }
  }
}
