package surge.cache;

import surge.config.Doc;
import surge.config.Range;

/** The two-level cache ({@code cache.*}, see {@link Caches}). */
@Doc("The two-level cache: L1 in process, L2 in Redis ([caching.md](caching.md)).")
public record CacheConfig(
    @Doc("Read through the cache at all.") boolean enabled,
    @Doc("In-process entries per cache (`article`, `profile`, `list`, assembled list pages), least recently used out"
        + " first.") @Range(min = 1, max = 10_000_000) int l1MaxEntries,
    @Doc("In-process entries of the `viewer` cache: two per signed-in user seen lately (whom they follow, what they"
        + " favorited), sorted id arrays of 8 bytes per id.") @Range(min = 1, max = 10_000_000) int viewerL1MaxEntries,
    @Doc("Lifetime of the `viewer` cache's sets: only their owner's own writes change them, and those invalidate them,"
        + " so this is a safety net and can be long.") @Range(min = 1000, max = 86_400_000) int viewerTtlMs,
    @Doc("Lifetime of cached articles and profiles: the longest another client can read one stale if an invalidation"
        + " is lost.") @Range(min = 1000, max = 86_400_000) int entityTtlMs,
    @Doc("Lifetime of cached anonymous list pages and the tag list.") @Range(min = 1000, max = 86_400_000) int listTtlMs,
    @Doc("Redis TTLs vary by up to this share either way, so entries filled together do not expire together.")
    @Range(min = 0, max = 50) int jitterPercent,
    @Doc("After a Redis failure or a command slower than `redis.timeoutMs`, the cache bypasses Redis this long before a"
        + " probe (`PING`) tries it again.") @Range(min = 1000, max = 600_000) int redisBreakerMs) {}
