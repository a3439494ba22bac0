package surge.ratelimit;

/**
 * One limiter answer for one policy.
 *
 * @param remaining the {@code r} parameter: requests this principal may still make now (an estimate across nodes)
 * @param resetSeconds the {@code t} parameter: seconds until more quota is made available (0 when the bucket is full)
 * @param retryAfterSeconds for a rejection, the {@code Retry-After} value (at least 1)
 */
public record Decision(Policy policy, boolean allowed, long remaining, long resetSeconds, long retryAfterSeconds) {

  static Decision allow(Policy policy, long remaining) {
    long r = Math.max(0, Math.min(policy.quota(), remaining));
    long t = r >= policy.quota() ? 0 : (long) Math.ceil(policy.msPerToken() / 1000.0);
    return new Decision(policy, true, r, t, 0);
  }

  static Decision reject(Policy policy, long waitMs) {
    long seconds = Math.max(1, (long) Math.ceil(waitMs / 1000.0));
    return new Decision(policy, false, 0, seconds, seconds);
  }

  /** {@code "writes";r=37;t=12}: one item of the {@code RateLimit} field. */
  public String item() {
    return '"' + policy.name() + "\";r=" + remaining + ";t=" + resetSeconds;
  }
}
