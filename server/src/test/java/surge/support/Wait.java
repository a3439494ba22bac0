package surge.support;

import java.util.function.BooleanSupplier;

/** Waiting on the JUnit thread (never on an event loop): pauses, and polling until something holds. */
public final class Wait {
  private Wait() {}

  public static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Polls {@code done} every 50 ms until it holds; fails naming {@code what} after {@code timeoutMs}. */
  public static void until(String what, long timeoutMs, BooleanSupplier done) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!done.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) throw new AssertionError("not within " + timeoutMs + " ms: " + what);
      sleep(50);
    }
  }
}
