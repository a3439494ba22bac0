package surge.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Tokens this node verified lately, so that a returning client's token is not parsed and HMAC-checked on every
 * request (the rate limiter and authentication ask for the same token once each per request). Keyed by a SHA-256
 * digest of the token, never the token itself; an entry lives until the token's {@code exp} at the latest, and an
 * external issuer's token at most {@link #EXTERNAL_TTL_MS} (its account mapping may change). Failures are never kept.
 * Dropped whole when the verification keys change. Thread-safe (Caffeine).
 */
final class VerifiedTokens {
  static final long EXTERNAL_TTL_MS = 60_000;
  static final int MAX_ENTRIES = 100_000;
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  });

  /** 128 bits of the digest: a second preimage is out of reach, and the key stays two longs. */
  private record Key(long high, long low) {}

  private record Entry(long userId, long ttlNanos) {}

  private final Cache<Key, Entry> cache;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  VerifiedTokens() {
    this(Ticker.systemTicker());
  }

  VerifiedTokens(Ticker ticker) {
    // upkeep on the calling thread, as surge.cache.TwoLevelCache's L1
    this.cache = Caffeine.newBuilder().executor(Runnable::run).maximumSize(MAX_ENTRIES).ticker(ticker)
        .expireAfter(new Expiry<Key, Entry>() {
          @Override
          public long expireAfterCreate(Key key, Entry entry, long now) {
            return entry.ttlNanos();
          }

          @Override
          public long expireAfterUpdate(Key key, Entry entry, long now, long current) {
            return entry.ttlNanos();
          }

          @Override
          public long expireAfterRead(Key key, Entry entry, long now, long current) {
            return current;
          }
        })
        .build();
  }

  /** The user a token verified for, or null when it is not known here (any more). */
  Long userOf(String token) {
    Entry entry = cache.getIfPresent(key(token));
    if (entry == null) {
      misses.increment();
      return null;
    }
    hits.increment();
    return entry.userId();
  }

  /** Remembers a verified token: {@code expiresAtMs} from its {@code exp}, {@code nowMs} the wall clock now. */
  void remember(String token, long userId, long expiresAtMs, long nowMs, boolean external) {
    long ttl = expiresAtMs - nowMs;
    if (external) ttl = Math.min(ttl, EXTERNAL_TTL_MS);
    if (ttl <= 0) return;
    cache.put(key(token), new Entry(userId, TimeUnit.MILLISECONDS.toNanos(ttl)));
  }

  void clear() {
    cache.invalidateAll();
  }

  long hits() {
    return hits.sum();
  }

  long misses() {
    return misses.sum();
  }

  private static Key key(String token) {
    MessageDigest sha = SHA256.get();
    ByteBuffer digest = ByteBuffer.wrap(sha.digest(token.getBytes(StandardCharsets.US_ASCII)));
    return new Key(digest.getLong(), digest.getLong());
  }
}
