package surge.ratelimit;

/**
 * A token-bucket policy: {@code quota} requests per {@code windowSeconds}. The bucket holds at most
 * {@code quota} tokens (the burst) and refills continuously at {@code quota / windowSeconds} per second.
 *
 * @param name the policy's name in the {@code RateLimit} and {@code RateLimit-Policy} fields
 */
public record Policy(String name, int quota, int windowSeconds) {
  public Policy {
    if (quota < 1 || windowSeconds < 1) throw new IllegalArgumentException("quota and window must be positive");
  }

  /**
   * Reads {@code "<quota>/<window seconds>"}, e.g. {@code "100/60"}, as a policy without a name yet (see
   * {@link #named}): configuration binds a {@code ratelimit.*} string through it.
   */
  public static Policy valueOf(String spec) {
    String[] parts = spec == null ? new String[0] : spec.trim().split("/");
    try {
      if (parts.length != 2) throw new NumberFormatException();
      long q = Long.parseLong(parts[0].trim());
      long w = Long.parseLong(parts[1].trim());
      if (q < 1 || w < 1 || q > 1_000_000_000L || w > 86_400 * 30L) throw new NumberFormatException();
      return new Policy("", (int) q, (int) w);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected <quota>/<window seconds> with positive whole numbers (e.g. 100/60),"
          + " got '" + spec + "'");
    }
  }

  /** The same policy under {@code name}. */
  public Policy named(String name) {
    return name.equals(this.name) ? this : new Policy(name, quota, windowSeconds);
  }

  /** Tokens added per millisecond. */
  public double perMs() {
    return quota / (windowSeconds * 1000.0);
  }

  /** Milliseconds for one token to refill. */
  public double msPerToken() {
    return windowSeconds * 1000.0 / quota;
  }

  /** This policy's share on one node of {@code nodes}: the fallback while Redis is unavailable. */
  public Policy share(int nodes) {
    if (nodes <= 1) return this;
    // quota/nodes over the same window keeps the refill proportion; never below one token
    return new Policy(name, Math.max(1, quota / nodes), windowSeconds);
  }

  /** {@code "writes";q=100;w=60}: one item of the {@code RateLimit-Policy} field (draft-ietf-httpapi-ratelimit-headers-11). */
  public String policyItem() {
    return '"' + name + "\";q=" + quota + ";w=" + windowSeconds;
  }
}
