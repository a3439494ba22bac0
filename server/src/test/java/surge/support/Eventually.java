package surge.support;

import io.vertx.core.Future;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The suite's one way to wait for something: poll a condition on the JUnit thread (never on an event loop) until it
 * holds or a timeout passes, then fail saying what was awaited and what was last seen. A probe that throws an exception
 * (a refused connection) counts as "not yet", and its exception is what was last seen; a failed assertion in a probe
 * fails at once (so a probe can say "this will never happen"), except in {@link #asserted}, which retries it.
 *
 * <p>{@link #pause} is for time that is itself the behaviour under test (a TTL running out, a client trickling bytes);
 * never for waiting until something happened.
 */
public final class Eventually {
  /** How often a condition is polled unless the caller says otherwise. */
  public static final Duration EVERY = Duration.ofMillis(50);

  private Eventually() {}

  /** Polls {@code condition} until it holds. */
  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    until(what, timeout, EVERY, condition);
  }

  /** Polls {@code condition} every {@code every} until it holds (a short {@code every} for tests that time the wait). */
  public static void until(String what, Duration timeout, Duration every, BooleanSupplier condition) {
    value(what, timeout, every, condition::getAsBoolean, held -> held);
  }

  /** Polls {@code assertion} until it passes; the last failure is the message's cause. */
  public static void asserted(String what, Duration timeout, Runnable assertion) {
    poll(what, timeout, EVERY, () -> {
      assertion.run();
      return true;
    }, passed -> passed, true);
  }

  /** Polls {@code probe} until its value satisfies {@code accept}; returns that value. */
  public static <T> T value(String what, Duration timeout, Supplier<T> probe, Predicate<? super T> accept) {
    return value(what, timeout, EVERY, probe, accept);
  }

  /** {@link #value(String, Duration, Supplier, Predicate)} polling every {@code every}. */
  public static <T> T value(String what, Duration timeout, Duration every, Supplier<T> probe, Predicate<? super T> accept) {
    return poll(what, timeout, every, probe, accept, false);
  }

  private static <T> T poll(String what, Duration timeout, Duration every, Supplier<T> probe, Predicate<? super T> accept,
      boolean retryAssertions) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Object last = "nothing (no attempt finished)";
    Throwable failure = null;
    while (true) {
      try {
        T seen = probe.get();
        if (accept.test(seen)) return seen;
        last = seen;
        failure = null;
      } catch (Exception e) { // also the checked ones that Future.await() rethrows as they are
        last = e;
        failure = e;
      } catch (AssertionError e) {
        if (!retryAssertions) throw e;
        last = e.getMessage();
        failure = e;
      }
      if (System.nanoTime() - deadline > 0) throw timedOut(what, timeout, last, failure);
      pause(every.toMillis());
    }
  }

  /**
   * Polls a probe that needs a request: each attempt starts {@code probe} and blocks this (JUnit) thread on its result,
   * for no longer than the time left. Returns the first value that satisfies {@code accept}.
   */
  public static <T> T async(String what, Duration timeout, Supplier<Future<T>> probe, Predicate<? super T> accept) {
    long deadline = System.nanoTime() + timeout.toNanos();
    return value(what, timeout, EVERY, () -> awaitUntil(probe.get(), deadline), accept);
  }

  /** Lets {@code ms} pass: only where the passing time is what the test is about (see the class comment). */
  public static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static <T> T awaitUntil(Future<T> future, long deadline) {
    try {
      long left = Math.max(1, deadline - System.nanoTime());
      return future.toCompletionStage().toCompletableFuture().get(left, TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("no answer in the time left");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** A response shows as its status and body; anything else as itself. */
  private static String shown(Object last) {
    if (last instanceof HttpResponse<?> r) return "HTTP " + r.statusCode() + " " + r.bodyAsString();
    return String.valueOf(last);
  }

  private static AssertionError timedOut(String what, Duration timeout, Object last, Throwable failure) {
    AssertionError error = new AssertionError("not within " + timeout.toMillis() + " ms: " + what + "; last seen: " + shown(last));
    if (failure != null) error.initCause(failure);
    return error;
  }
}
