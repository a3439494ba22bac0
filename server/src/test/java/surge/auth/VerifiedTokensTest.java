package surge.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.github.benmanes.caffeine.cache.Ticker;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The verified-token cache on a hand-moved clock: kept until the token's expiry, external ones shorter, never a miss. */
class VerifiedTokensTest {
  final AtomicLong nanos = new AtomicLong();
  final VerifiedTokens cache = new VerifiedTokens((Ticker) nanos::get);

  void advanceMs(long ms) {
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
  }

  @Test
  void aTokenIsKnownUntilItsExpiryAndNotAfter() {
    cache.remember("a.b.c", 42, 10_000, 0, false);
    assertEquals(42L, cache.userOf("a.b.c"));
    advanceMs(9_999);
    assertEquals(42L, cache.userOf("a.b.c"));
    advanceMs(2);
    assertNull(cache.userOf("a.b.c"), "expired with the token");
  }

  @Test
  void anExternalIssuersTokenIsKeptAMinuteAtMost() {
    cache.remember("x.y.z", 7, 3_600_000, 0, true);
    advanceMs(VerifiedTokens.EXTERNAL_TTL_MS + 1);
    assertNull(cache.userOf("x.y.z"));
  }

  @Test
  void anExpiredOrUnknownTokenIsNeverAnswered() {
    cache.remember("old.token.sig", 1, 1_000, 2_000, false);
    assertNull(cache.userOf("old.token.sig"), "already expired: not kept");
    cache.remember("a.b.c", 42, 10_000, 0, false);
    assertNull(cache.userOf("a.b.d"), "another token, however alike");
    assertEquals(0, cache.hits(), "no hit yet");
  }

  @Test
  void newKeysDropEverything() {
    cache.remember("a.b.c", 42, 10_000, 0, false);
    cache.clear();
    assertNull(cache.userOf("a.b.c"));
  }
}
