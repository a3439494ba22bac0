package surge.ratelimit;

import surge.config.ConfigException;
import surge.config.ConfigTree;

/**
 * Rate-limit configuration ({@code ratelimit.*}).
 *
 * @param enabled limiter on or off ({@code ratelimit.enabled})
 * @param reads GET/HEAD per principal ({@code ratelimit.reads}, {@code "<quota>/<window seconds>"})
 * @param writes POST/PUT/DELETE per principal except sign-up and login ({@code ratelimit.writes})
 * @param auth sign-up and login attempts per client IP ({@code ratelimit.auth})
 * @param login login attempts per account e-mail, from any IP ({@code ratelimit.login})
 * @param trustedProxyHeader header a trusted reverse proxy sets to the client address, e.g. {@code X-Forwarded-For};
 *     its right-most entry (the one the proxy appended) is the client IP. Empty: the TCP peer address
 *     ({@code ratelimit.trustedProxyHeader}). Set it only when every request comes through that proxy.
 * @param leaseSize most tokens a node takes from a Redis bucket in one call ({@code ratelimit.leaseSize})
 * @param nodes expected node count: while Redis is unavailable each node enforces {@code quota / nodes}
 *     ({@code ratelimit.nodes})
 * @param leaseTtlMs unused leased tokens are dropped after this long ({@code ratelimit.leaseTtlMs})
 * @param breakerMs after a Redis failure or timeout, Redis is skipped for this long ({@code ratelimit.breakerMs})
 */
public record RateLimits(boolean enabled, Policy reads, Policy writes, Policy auth, Policy login,
                         String trustedProxyHeader, int leaseSize, int nodes, int leaseTtlMs, int breakerMs) {

  public static RateLimits from(ConfigTree c) {
    String header = c.string("ratelimit.trustedProxyHeader").trim();
    if (!header.isEmpty() && !header.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
      throw new ConfigException("config key ratelimit.trustedProxyHeader: '" + header + "' is not a header name");
    }
    return new RateLimits(c.bool("ratelimit.enabled"),
        Policy.parse("reads", c.string("ratelimit.reads"), "ratelimit.reads"),
        Policy.parse("writes", c.string("ratelimit.writes"), "ratelimit.writes"),
        Policy.parse("auth", c.string("ratelimit.auth"), "ratelimit.auth"),
        Policy.parse("login", c.string("ratelimit.login"), "ratelimit.login"),
        header, c.integer("ratelimit.leaseSize", 1, 10_000), c.integer("ratelimit.nodes", 1, 1000),
        c.integer("ratelimit.leaseTtlMs", 10, 600_000), c.integer("ratelimit.breakerMs", 100, 600_000));
  }
}
