package surge.timeline;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What this node has heard of timeline changes, so that a range read from Redis can be kept and served again while
 * nothing it was read from changed: a logical clock that every change advances, and for each author (fan-out and
 * removal of their articles) and each viewer (their follows, unfollows, rebuilds, dropped entries, any write of
 * theirs) the clock value of their last change.
 *
 * <p>A range read after the clock showed {@code seen} is still what Redis holds while no author in it and not its
 * viewer changed after {@code seen}: a change is announced only once Redis has it, so a read sent after the
 * announcement was heard already sees it. Forgetting (the node may have missed announcements) moves a floor below which
 * nothing is trusted. Safe from any thread; pure logic, no I/O.
 */
public final class TimelineChanges {
  /** Tracked authors and viewers at most; past this everything is forgotten (kept ranges are read again). */
  static final int MAX_TRACKED = 200_000;
  private final AtomicLong clock = new AtomicLong();
  private volatile long floor;
  private final ConcurrentHashMap<Long, Long> authors = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, Long> viewers = new ConcurrentHashMap<>();

  /** The clock before a read: what a range read now is valid from. */
  public long now() {
    return clock.get();
  }

  /** New or deleted articles of these authors reached their followers' timelines. */
  public void authorsChanged(Collection<Long> ids) {
    mark(authors, ids);
  }

  /** These viewers' own timelines changed (or may have: a write of theirs). */
  public void viewersChanged(Collection<Long> ids) {
    mark(viewers, ids);
  }

  private void mark(ConcurrentHashMap<Long, Long> changed, Collection<Long> ids) {
    if (ids.isEmpty()) return;
    if (authors.size() + viewers.size() > MAX_TRACKED) forgetAll();
    long at = clock.incrementAndGet();
    for (Long id : ids) changed.put(id, at);
  }

  /** This node may have missed changes: nothing read before now is trusted. */
  public void forgetAll() {
    floor = clock.incrementAndGet();
    authors.clear();
    viewers.clear();
  }

  /** Whether a range of {@code viewer}'s timeline over {@code authorIds}, read at {@code seen}, is still current. */
  public boolean unchangedSince(long seen, long viewer, Collection<Long> authorIds) {
    if (seen < floor) return false;
    if (clock.get() == seen) return true;
    if (after(viewers, viewer, seen)) return false;
    for (Long author : authorIds) if (after(authors, author, seen)) return false;
    return true;
  }

  private static boolean after(ConcurrentHashMap<Long, Long> changed, Long id, long seen) {
    Long at = changed.get(id);
    return at != null && at > seen;
  }
}
