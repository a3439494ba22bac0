package surge.ratelimit;

/**
 * An in-memory token bucket (not thread-safe: callers synchronize). Used while Redis is unavailable,
 * sized as this node's share of the cluster limit ({@link Policy#share}).
 */
final class LocalBucket {
  private final double capacity;
  private final double perNs;
  private double tokens;
  private long lastNs;

  LocalBucket(Policy policy, long nowNs) {
    this.capacity = policy.quota();
    this.perNs = policy.perMs() / 1_000_000.0;
    this.tokens = capacity;
    this.lastNs = nowNs;
  }

  /** Takes one token if there is one. */
  boolean tryTake(long nowNs) {
    refill(nowNs);
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  }

  long remaining(long nowNs) {
    refill(nowNs);
    return (long) Math.floor(tokens);
  }

  /** Milliseconds until one whole token is available (0 if one is). */
  long msUntilToken(long nowNs) {
    refill(nowNs);
    return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / perNs / 1_000_000.0);
  }

  private void refill(long nowNs) {
    if (nowNs > lastNs) {
      tokens = Math.min(capacity, tokens + (nowNs - lastNs) * perNs);
      lastNs = nowNs;
    }
  }
}
