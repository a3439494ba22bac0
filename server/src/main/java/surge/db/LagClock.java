package surge.db;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Replica lag in time, measured against the primary's WAL position as this node saw it: a replica
 * that has replayed up to {@code R} is behind since the first moment the primary was seen past
 * {@code R}. Unlike {@code now() - pg_last_xact_replay_timestamp()} this does not count the idle
 * time before a write as lag, and it needs no clock agreement between servers. The estimate is low
 * by at most one check interval. Not thread-safe: one monitor updates it.
 */
final class LagClock {
  private record Sample(long atMs, long lsn) {}

  private final ArrayDeque<Sample> samples = new ArrayDeque<>();
  private final long retainMs;

  /** Keeps samples for {@code retainMs}; lags longer than that read as at least {@code retainMs}. */
  LagClock(long retainMs) {
    this.retainMs = retainMs;
  }

  /** The primary was at {@code lsn} at {@code atMs}. */
  void primaryAt(long atMs, long lsn) {
    Sample last = samples.peekLast();
    if (last == null || Long.compareUnsigned(lsn, last.lsn()) > 0) samples.addLast(new Sample(atMs, lsn));
    // Keep one sample at or before the cut-off, so a lag longer than retainMs still reads as that long.
    while (samples.size() > 1 && second().atMs() <= atMs - retainMs) samples.removeFirst();
  }

  private Sample second() {
    Iterator<Sample> it = samples.iterator();
    it.next();
    return it.next();
  }

  /** How long a replica at {@code replayed} has been behind the primary, at {@code nowMs}. */
  long lagMs(long nowMs, long replayed) {
    for (Iterator<Sample> it = samples.iterator(); it.hasNext(); ) {
      Sample s = it.next();
      if (!Lsn.reached(replayed, s.lsn())) return Math.max(0, nowMs - s.atMs());
    }
    return 0;
  }

  /** The primary's last seen position, or {@link Lsn#NONE}. */
  long latest() {
    Sample last = samples.peekLast();
    return last == null ? Lsn.NONE : last.lsn();
  }
}
