package surge.auth;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * Which Surge user an e-mail belongs to, remembered in this process so that a client signed in through an external
 * issuer does not cost two directory reads per request. Per node, not shared: a user who changes their e-mail keeps
 * being matched by the old address on a node that remembered it until {@link #FOUND_TTL} is over.
 *
 * <p>Concurrent misses of one e-mail share one lookup, and a miss is remembered too (for {@link #MISSING_TTL}), so a
 * flood of tokens for an address without an account reaches the database about once per address and interval. A
 * failed lookup is handed to the callers that shared it and then forgotten: the next request tries again. (It is kept
 * as a value that expires at once rather than as a failed future, which Caffeine would log with a stack trace each
 * time: a database outage must not flood the log.)
 */
final class AccountCache {
  /** Bounds how long an e-mail change takes to stop the old address from matching. */
  static final Duration FOUND_TTL = Duration.ofSeconds(60);
  /** Short, so someone who signs up after a refused request is let in within seconds. */
  static final Duration MISSING_TTL = Duration.ofSeconds(5);
  /** About 100 bytes an entry: a few MB at most, whatever the number of distinct e-mails presented. */
  static final int MAX_ENTRIES = 50_000;

  private final AccountLookup lookup;
  private final AsyncCache<String, Outcome> cache;

  AccountCache(AccountLookup lookup) {
    this(lookup, Ticker.systemTicker());
  }

  /** {@code ticker}: the clock of the TTLs (tests move it by hand). */
  AccountCache(AccountLookup lookup, Ticker ticker) {
    this.lookup = lookup;
    // Runnable::run: Caffeine's upkeep is a few map operations, cheaper on the caller than a hop to the common pool.
    this.cache = Caffeine.newBuilder().maximumSize(MAX_ENTRIES).expireAfter(new ByOutcome()).ticker(ticker)
        .executor(Runnable::run).buildAsync();
  }

  /** The id of the user bearing this e-mail (any case), empty when none does; completes on the caller's context. */
  Future<OptionalLong> userId(String email) {
    CompletableFuture<Outcome> shared = cache.get(email.toLowerCase(Locale.ROOT), (key, executor) -> load(key));
    return onCallersContext(shared).compose(Outcome::result);
  }

  private CompletableFuture<Outcome> load(String email) {
    return lookup.userIdByEmail(email)
        .transform(done -> Future.succeededFuture(new Outcome(done.result(), done.cause())))
        .toCompletionStage().toCompletableFuture();
  }

  /** A shared lookup completes on the event loop of whoever started it; each caller must go on on its own. */
  private static Future<Outcome> onCallersContext(CompletableFuture<Outcome> shared) {
    Context caller = Vertx.currentContext();
    return caller == null ? Future.fromCompletionStage(shared) : Future.fromCompletionStage(shared, caller);
  }

  /** What one lookup found: a user id, none (null), or the failure that kept it from finding out. */
  private record Outcome(Long userId, Throwable failure) {
    Future<OptionalLong> result() {
      if (failure != null) return Future.failedFuture(failure);
      return Future.succeededFuture(userId == null ? OptionalLong.empty() : OptionalLong.of(userId));
    }
  }

  /** A match lives {@link #FOUND_TTL}, a miss {@link #MISSING_TTL}, a failure not at all; reads extend none. */
  private static final class ByOutcome implements Expiry<String, Outcome> {
    @Override
    public long expireAfterCreate(String email, Outcome outcome, long now) {
      if (outcome.failure() != null) return 0;
      return (outcome.userId() != null ? FOUND_TTL : MISSING_TTL).toNanos();
    }

    @Override
    public long expireAfterUpdate(String email, Outcome outcome, long now, long remaining) {
      return expireAfterCreate(email, outcome, now);
    }

    @Override
    public long expireAfterRead(String email, Outcome outcome, long now, long remaining) {
      return remaining;
    }
  }
}
