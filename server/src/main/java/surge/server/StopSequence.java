package surge.server;

import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of a node's stop, each bounded and named while it runs. A step that fails or does not end within its bound
 * is logged by name and the stop goes on, so the pools and clients closed after it are still closed; {@link #current}
 * says where a stop that takes too long is (the shutdown warning, the test suite's teardown).
 */
public final class StopSequence {
  private static final Logger log = LoggerFactory.getLogger(StopSequence.class);
  private volatile String current;

  /** Runs {@code action} (null for nothing to do) as the step {@code name}; succeeds when it ends, fails or overruns. */
  public Future<Void> step(String name, long limitMs, Supplier<Future<?>> action) {
    current = name;
    Future<?> running = action.get();
    if (running == null) return Future.succeededFuture();
    return running.<Void>mapEmpty().timeout(limitMs, TimeUnit.MILLISECONDS).recover(failure -> {
      log.warn("stop: {} did not finish ({}); going on with the next step", name, failure.toString());
      return Future.succeededFuture();
    });
  }

  /** Marks the stop as done. */
  public void finished() {
    current = "stopped";
  }

  /** The step running now, {@code "stopped"} once done, null before the first. */
  public String current() {
    return current;
  }
}
