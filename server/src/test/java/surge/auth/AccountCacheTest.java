package surge.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The e-mail → user id cache of external tokens, on a hand-moved clock: lookups are shared, hits and misses expire
 * after their own TTLs, failures are not kept.
 */
class AccountCacheTest {
  private final AtomicLong nanos = new AtomicLong();
  private final List<String> asked = new ArrayList<>();
  private final Map<String, Long> accounts = new java.util.HashMap<>(Map.of("ada@example.com", 42L));

  private final AccountCache cache = new AccountCache(email -> {
    asked.add(email);
    return Future.succeededFuture(accounts.get(email));
  }, nanos::get);

  @Test
  void anAddressIsLookedUpOnceInAnyCaseAndKeptForTheFoundTtl() {
    assertEquals(OptionalLong.of(42), userId("Ada@Example.COM"));
    assertEquals(OptionalLong.of(42), userId("ada@example.com"));
    assertEquals(List.of("ada@example.com"), asked, "one lookup, by the lower-cased address");

    later(AccountCache.FOUND_TTL.minusSeconds(1));
    accounts.remove("ada@example.com"); // Ada changed her e-mail
    assertEquals(OptionalLong.of(42), userId("ada@example.com"), "still remembered within the TTL");
    later(Duration.ofSeconds(2));
    assertEquals(OptionalLong.empty(), userId("ada@example.com"), "the old address stops matching after the TTL");
    assertEquals(2, asked.size());
  }

  @Test
  void aMissIsKeptBrieflySoASignUpIsSeenSoon() {
    assertEquals(OptionalLong.empty(), userId("new@example.com"));
    accounts.put("new@example.com", 7L);
    assertEquals(OptionalLong.empty(), userId("new@example.com"), "the miss is remembered");
    assertEquals(1, asked.size(), "repeated unknown addresses do not reach the lookup");
    later(AccountCache.MISSING_TTL.plusSeconds(1));
    assertEquals(OptionalLong.of(7), userId("new@example.com"));
    assertTrue(AccountCache.MISSING_TTL.compareTo(AccountCache.FOUND_TTL) < 0);
  }

  @Test
  void concurrentMissesShareOneLookupAndAFailureIsNotKept() {
    List<Promise<Long>> pending = new ArrayList<>();
    AccountCache slow = new AccountCache(email -> {
      Promise<Long> p = Promise.promise();
      pending.add(p);
      return p.future();
    }, nanos::get);
    Future<OptionalLong> first = slow.userId("bob@example.com");
    Future<OptionalLong> second = slow.userId("BOB@example.com");
    assertEquals(1, pending.size(), "the second caller waits for the first lookup");
    RuntimeException down = new RuntimeException("database down");
    pending.get(0).fail(down);
    assertSame(down, first.cause(), "the lookup's own failure, unwrapped");
    assertSame(down, second.cause());

    Future<OptionalLong> retried = slow.userId("bob@example.com");
    assertEquals(2, pending.size(), "a failure is not remembered");
    pending.get(1).complete(9L);
    assertEquals(OptionalLong.of(9), retried.result());
  }

  private OptionalLong userId(String email) {
    Future<OptionalLong> f = cache.userId(email);
    assertFalse(f.failed(), () -> String.valueOf(f.cause()));
    return f.result();
  }

  private void later(Duration d) {
    nanos.addAndGet(d.toNanos());
  }
}
