package surge.ratelimit;

import surge.config.Checked;
import surge.config.ConfigException;
import surge.config.Doc;
import surge.config.Range;

/** Rate-limit configuration ({@code ratelimit.*}); a policy is {@code "<quota>/<window seconds>"}. */
@Doc("The rate limiter: token buckets in Redis, leased to nodes. A policy is `<quota>/<window seconds>` (the window"
    + " is the `RateLimit-Policy` header's `w`, in its own unit).")
public record RateLimits(
    @Doc("Limiter on or off.") boolean enabled,
    @Doc("GET/HEAD per principal (user id, else client IP).") Policy reads,
    @Doc("POST/PUT/DELETE per principal, except sign-up and login.") Policy writes,
    @Doc("Sign-up and login attempts per client IP.") Policy auth,
    @Doc("Login attempts per account e-mail, from any IP.") Policy login,
    @Doc("Header a trusted reverse proxy sets to the client address, e.g. `X-Forwarded-For`; its right-most entry (the"
        + " one the proxy appended) is the client IP. Empty: the TCP peer address. Set it only when every request"
        + " comes through that proxy.") String trustedProxyHeader,
    @Doc("Most tokens a node takes from a Redis bucket in one call.") @Range(min = 1, max = 10_000) int leaseSize,
    @Doc("Expected node count: while Redis is unavailable each node enforces `quota / nodes`.")
    @Range(min = 1, max = 1000) int nodes,
    @Doc("Unspent leased tokens expire after this (long enough that a client making one request a second takes one"
        + " lease per `leaseSize` requests).") @Range(min = 10, max = 600_000) int leaseTtlMs,
    @Doc("How long the limiter's open breaker skips Redis before a probe tries it again.")
    @Range(min = 100, max = 600_000) int breakerMs) implements Checked {

  /** Each policy carries its key's name, which the {@code RateLimit} headers show. */
  public RateLimits {
    reads = reads.named("reads");
    writes = writes.named("writes");
    auth = auth.named("auth");
    login = login.named("login");
    trustedProxyHeader = trustedProxyHeader.trim();
  }

  @Override
  public void check() {
    if (!trustedProxyHeader.isEmpty() && !trustedProxyHeader.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
      throw ConfigException.key("ratelimit.trustedProxyHeader", "'" + trustedProxyHeader + "' is not a header name");
    }
  }
}
