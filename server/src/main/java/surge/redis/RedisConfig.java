package surge.redis;

import surge.config.Doc;
import surge.config.Range;

/** Redis: the cache's L2 and invalidations, rate-limit buckets, read-your-writes marks, timelines ({@code redis.*}). */
@Doc("Redis: the cache's L2 and invalidations, the rate limiter's buckets, the read-your-writes marks, the timelines.")
public record RedisConfig(
    @Doc("Redis host.") String host,
    @Doc("Redis port.") @Range(min = 1, max = 65535) int port,
    @Doc("Longest wait for Redis on a request's path; a command not answered by then counts as failed.")
    @Range(min = 10, max = 60_000) int timeoutMs,
    @Doc("Failed or timed-out commands in a row that open a Redis circuit breaker; each user of Redis (cache, rate"
        + " limiter, read-your-writes marks) has its own, and skips Redis while it is open.")
    @Range(min = 1, max = 1000) int breakerFailures) {}
