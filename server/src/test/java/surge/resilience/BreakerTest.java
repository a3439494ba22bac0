package surge.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Eventually;

/** The breaker's rules, with commands that fail, succeed or never answer on demand (no dependency needed). */
@ExtendWith(VertxExtension.class)
class BreakerTest {

  /** A command that counts its runs and fails while {@code down} is set. */
  static final class Dependency implements Supplier<Future<String>> {
    final AtomicInteger runs = new AtomicInteger();
    final AtomicBoolean down = new AtomicBoolean();

    @Override
    public Future<String> get() {
      runs.incrementAndGet();
      return down.get() ? Future.failedFuture(new IllegalStateException("connection refused")) : Future.succeededFuture("ok");
    }
  }

  private static Throwable failureOf(Future<?> f) {
    return f.transform(ar -> Future.succeededFuture(ar.cause())).await();
  }

  @Test
  void opensAfterFailuresInARowAndRefusesWithoutCalling(Vertx vertx) {
    Dependency redis = new Dependency();
    Breaker breaker = new Breaker(vertx, "test", new Breaker.Settings(3, 1000, 60_000), "skipped", null);
    redis.down.set(true);
    failureOf(breaker.call(redis));
    failureOf(breaker.call(redis));
    assertEquals(CircuitBreakerState.CLOSED, breaker.state(), "two failures of three: still closed");
    redis.down.set(false);
    assertEquals("ok", breaker.call(redis).await(), "a success in between...");
    redis.down.set(true);
    failureOf(breaker.call(redis));
    failureOf(breaker.call(redis));
    assertFalse(breaker.isOpen(), "...starts the count again");
    failureOf(breaker.call(redis));
    assertTrue(breaker.isOpen(), "the third failure in a row opens it");
    assertEquals(1, breaker.openedCount());
    int before = redis.runs.get();
    assertInstanceOf(OpenCircuitException.class, failureOf(breaker.call(redis)));
    assertEquals(before, redis.runs.get(), "an open breaker does not call the dependency");
    assertEquals("java.lang.IllegalStateException: connection refused", breaker.status().getString("lastFailure"));
    assertEquals("open", breaker.status().getString("state"));
  }

  @Test
  void aCommandSlowerThanTheTimeoutCountsAsFailed(Vertx vertx) {
    Breaker breaker = new Breaker(vertx, "test", new Breaker.Settings(1, 100, 60_000), "skipped", null);
    Promise<String> never = Promise.promise();
    long start = System.nanoTime();
    Throwable failure = failureOf(breaker.call(never::future));
    assertTrue(System.nanoTime() - start < 5_000_000_000L, "the caller is not kept waiting past the timeout");
    assertInstanceOf(io.vertx.circuitbreaker.TimeoutException.class, failure);
    assertTrue(breaker.isOpen());
  }

  @Test
  void probesByItselfWhenHalfOpenAndClosesOnSuccess(Vertx vertx) {
    Dependency redis = new Dependency();
    Dependency ping = new Dependency();
    Breaker breaker = new Breaker(vertx, "test", new Breaker.Settings(1, 1000, 300), "skipped", ping::get);
    redis.down.set(true);
    ping.down.set(true);
    failureOf(breaker.call(redis));
    assertTrue(breaker.isOpen());
    Eventually.until("the first probe after the reset timeout", Duration.ofSeconds(5), () -> ping.runs.get() >= 1);
    Eventually.until("a failed probe opens it again", Duration.ofSeconds(5), breaker::isOpen);
    assertEquals(CircuitBreakerState.OPEN, breaker.state());
    ping.down.set(false);
    Eventually.until("a later probe succeeds and closes it", Duration.ofSeconds(5),
        () -> breaker.state() == CircuitBreakerState.CLOSED);
    assertTrue(breaker.openedCount() >= 2, "opened, then re-opened by the failed probe");
    int before = redis.runs.get();
    redis.down.set(false);
    assertEquals("ok", breaker.call(redis).await());
    assertEquals(before + 1, redis.runs.get(), "closed: commands reach the dependency again");
  }

  @Test
  void transitionsAreReported(Vertx vertx) {
    Dependency kafka = new Dependency();
    Breaker breaker = new Breaker(vertx, "test", new Breaker.Settings(1, -1, 200), "skipped", null);
    java.util.List<CircuitBreakerState> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    breaker.onChange(seen::add);
    kafka.down.set(true);
    failureOf(breaker.call(kafka));
    Eventually.until("half-open after the reset timeout", Duration.ofSeconds(5),
        () -> breaker.state() == CircuitBreakerState.HALF_OPEN);
    kafka.down.set(false);
    assertEquals("ok", breaker.call(kafka).await(), "the first call when half-open is the probe");
    assertEquals(java.util.List.of(CircuitBreakerState.OPEN, CircuitBreakerState.HALF_OPEN, CircuitBreakerState.CLOSED),
        seen);
  }
}
