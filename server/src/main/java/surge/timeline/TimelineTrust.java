package surge.timeline;

import java.util.List;

/**
 * When a timeline may be believed: every partition of the article topic has a consumer that reported within
 * {@code staleMs} and is at most {@code maxLagMs} behind, and no outbox event has waited longer than {@code maxLagMs}
 * for Kafka. Otherwise the feed is the scatter-gather query: an event that has not reached its followers' timelines
 * yet may be older than the reader can tell.
 */
final class TimelineTrust {
  private TimelineTrust() {}

  /**
   * Why timelines are not to be trusted now, or null when they are.
   *
   * @param reports per partition {@code <lagMs>:<reportedAtMs>}, null where none came; empty before any report
   * @param outboxAgeMs the oldest unpublished event's age over this node's view of every shard; -1 if unmeasured,
   *     {@link Long#MIN_VALUE} where this node runs no relay (and so cannot tell)
   */
  static String distrust(List<String> reports, long outboxAgeMs, long now, long maxLagMs, long staleMs) {
    if (reports.isEmpty()) return "no consumer has reported";
    for (int p = 0; p < reports.size(); p++) {
      String report = reports.get(p);
      if (report == null) return "partition " + p + " has no consumer";
      int colon = report.indexOf(':');
      long lag = Long.parseLong(report.substring(0, colon));
      long at = Long.parseLong(report.substring(colon + 1));
      if (now - at > staleMs) return "partition " + p + " last reported " + (now - at) + " ms ago";
      if (lag > maxLagMs) return "partition " + p + " is " + lag + " ms behind";
    }
    if (outboxAgeMs == -1) return "outbox backlog not measured yet";
    if (outboxAgeMs > maxLagMs) return "outbox events wait " + outboxAgeMs + " ms for Kafka";
    return null;
  }

  /**
   * A partition's lag from what the consumer knows: none while its position is at the end; otherwise the time since
   * it last was ({@code caughtUpAt}: for a partition that was behind when this consumer got it, when it got it).
   */
  static long lagMs(long position, long end, long caughtUpAt, long now) {
    return position >= end ? 0 : Math.max(0, now - caughtUpAt);
  }
}
