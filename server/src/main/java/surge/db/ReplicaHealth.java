package surge.db;

/**
 * Whether a replica is in rotation, decided from health checks alone (pure, so it is unit-tested).
 * A check is good when the replica answered and lags no more than both bounds. A bad check or a
 * failed read takes the replica out at once; it rejoins after {@link Bounds#rejoinChecks} good
 * checks in a row, so that a replica still flapping after a restart is not trusted on its first
 * answer. At start-up one good check is enough.
 *
 * @param healthy in rotation
 * @param goodStreak good checks in a row
 */
public record ReplicaHealth(boolean healthy, int goodStreak) {
  /**
   * @param maxLagBytes largest replay lag in WAL bytes a replica in rotation may have
   * @param maxLagMs largest replay lag in milliseconds a replica in rotation may have
   * @param rejoinChecks good checks in a row before a replica that left rotation rejoins it
   */
  public record Bounds(long maxLagBytes, long maxLagMs, int rejoinChecks) {}

  /** Before the first check: out of rotation, one good check away from joining. */
  public static ReplicaHealth starting(Bounds bounds) {
    return new ReplicaHealth(false, Math.max(0, bounds.rejoinChecks() - 1));
  }

  /** After a check that answered with these lags. */
  public ReplicaHealth answered(long lagBytes, long lagMs, Bounds bounds) {
    if (lagBytes > bounds.maxLagBytes() || lagMs > bounds.maxLagMs()) return failed();
    int streak = goodStreak + 1;
    return new ReplicaHealth(healthy || streak >= bounds.rejoinChecks(), streak);
  }

  /** After a check or a read that did not get an answer. */
  public ReplicaHealth failed() {
    return new ReplicaHealth(false, 0);
  }
}
