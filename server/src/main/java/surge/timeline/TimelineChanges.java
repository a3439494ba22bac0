package surge.timeline;

import java.util.Collection;
import java.util.Set;
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
 *
 * <p>The check costs the smaller of the changes heard since {@code seen} and the range's authors: the newest
 * {@link #LOG} changes are also kept in order, so a viewer following hundreds of authors is checked against the few
 * changes since their last read rather than author by author.
 */
public final class TimelineChanges {
  /** Tracked authors and viewers at most; past this everything is forgotten (kept ranges are read again). */
  static final int MAX_TRACKED = 200_000;
  /** Changes kept in order (the newest), for checks against what changed since rather than against every author. */
  static final int LOG = 4_096;
  private final AtomicLong clock = new AtomicLong();
  private volatile long floor;
  private final ConcurrentHashMap<Long, Long> authors = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, Long> viewers = new ConcurrentHashMap<>();
  // The log, guarded by this: entry k (of all ever added) at k % LOG.
  private final long[] logAt = new long[LOG];
  private final long[] logId = new long[LOG];
  private final boolean[] logViewer = new boolean[LOG];
  private long logged;

  /** The clock before a read: what a range read now is valid from. */
  public long now() {
    return clock.get();
  }

  /** New or deleted articles of these authors reached their followers' timelines. */
  public void authorsChanged(Collection<Long> ids) {
    mark(authors, ids, false);
  }

  /** These viewers' own timelines changed (or may have: a write of theirs). */
  public void viewersChanged(Collection<Long> ids) {
    mark(viewers, ids, true);
  }

  private synchronized void mark(ConcurrentHashMap<Long, Long> changed, Collection<Long> ids, boolean viewer) {
    if (ids.isEmpty()) return;
    if (authors.size() + viewers.size() > MAX_TRACKED) forgetAll();
    long at = clock.get() + 1;
    for (Long id : ids) {
      changed.put(id, at);
      int i = (int) (logged++ % LOG);
      logAt[i] = at;
      logId[i] = id;
      logViewer[i] = viewer;
    }
    clock.set(at); // after the entries: a reader that sees the new clock finds them
  }

  /** This node may have missed changes: nothing read before now is trusted. */
  public synchronized void forgetAll() {
    floor = clock.incrementAndGet();
    authors.clear();
    viewers.clear();
  }

  /** Whether a range of {@code viewer}'s timeline over {@code authorIds}, read at {@code seen}, is still current. */
  public boolean unchangedSince(long seen, long viewer, Set<Long> authorIds) {
    if (seen < floor) return false;
    if (clock.get() == seen) return true;
    Boolean fromLog = fromLog(seen, viewer, authorIds);
    if (fromLog != null) return fromLog;
    if (after(viewers, viewer, seen)) return false;
    for (Long author : authorIds) if (after(authors, author, seen)) return false;
    return true;
  }

  /**
   * The answer from the changes since {@code seen}, newest first; null when there are more of them than authors to
   * look up (or the log no longer reaches back to {@code seen}).
   */
  private synchronized Boolean fromLog(long seen, long viewer, Set<Long> authorIds) {
    long reach = Math.min(logged, LOG);
    long budget = authorIds.size() + 1L;
    for (long k = 1; k <= reach; k++) {
      int i = (int) ((logged - k) % LOG);
      if (logAt[i] <= seen) return true; // every change since seen was looked at
      if (logViewer[i] ? logId[i] == viewer : authorIds.contains(logId[i])) return false;
      if (k == budget) return null;
    }
    return reach == logged ? Boolean.TRUE : null; // the whole history was looked at, or it no longer reaches back
  }

  private static boolean after(ConcurrentHashMap<Long, Long> changed, Long id, long seen) {
    Long at = changed.get(id);
    return at != null && at > seen;
  }
}
