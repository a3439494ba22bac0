package surge.stream;

import java.util.ArrayList;
import java.util.List;

/**
 * The recent events one hub has seen, for {@code Last-Event-ID} resumes: at most {@code capacity} entries, and
 * only those younger than {@code maxAgeMs} count as in the window (the newest entry always counts, as a
 * position: a client whose last id is the newest event missed nothing, however old it is).
 *
 * <p>Positions are sequence numbers: the event added n-th has sequence n-1, and a position p stands for
 * "everything from sequence p on". Not thread-safe: a hub uses its ring on its own event loop only.
 */
final class ReplayRing {
  private final StreamEvent[] events;
  private final long[] addedAt;
  private final long maxAgeMs;
  /** Sequence of the next event added = events ever added. */
  private long next;
  /** Entries retained: sequences {@code next - size .. next - 1}. */
  private int size;

  ReplayRing(int capacity, long maxAgeMs) {
    this.events = new StreamEvent[capacity];
    this.addedAt = new long[capacity];
    this.maxAgeMs = maxAgeMs;
  }

  void add(StreamEvent event, long nowMs) {
    long seq = next++;
    if (events.length == 0) return;
    int slot = (int) (seq % events.length);
    events[slot] = event;
    addedAt[slot] = nowMs;
    if (size < events.length) size++;
    expire(nowMs);
  }

  /** The position after every event added so far: where a stream opening now starts. */
  long position() {
    return next;
  }

  /** Id of the newest event retained, or null: the position clients get on {@code id:} lines. */
  String newestId() {
    return size == 0 ? null : events[slot(next - 1)].id();
  }

  int size() {
    return size;
  }

  /** The position right after the event {@code id}, or -1 when it is not in the window (evicted, too old, never seen). */
  long positionAfter(String id, long nowMs) {
    expire(nowMs);
    for (long seq = next - 1; seq >= next - size; seq--) {
      if (events[slot(seq)].id().equals(id)) return seq + 1;
    }
    return -1;
  }

  /** Events from {@code position} on, oldest first; null when some of them are no longer retained. */
  List<StreamEvent> since(long position) {
    if (position > next || position < next - size) return null;
    List<StreamEvent> out = new ArrayList<>((int) (next - position));
    for (long seq = position; seq < next; seq++) out.add(events[slot(seq)]);
    return out;
  }

  /** Drops entries past the age limit, keeping the newest (it still marks a position). */
  private void expire(long nowMs) {
    while (size > 1) {
      int oldest = slot(next - size);
      if (nowMs - addedAt[oldest] <= maxAgeMs) return;
      events[oldest] = null;
      size--;
    }
  }

  private int slot(long seq) {
    return (int) (seq % events.length);
  }
}
