package surge.resilience;

import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One dependency's circuit breaker on one node: Vert.x's {@link CircuitBreaker} with Surge's settings, a log line
 * when it opens and when it closes again, and counters for metrics and the operator views.
 *
 * <p>Closed: calls go through; {@code failures} failed or timed-out calls in a row (within 5 minutes) open it. Open: no
 * call is made for {@code resetMs}, callers take their fallback at once, so requests never queue behind a dead or
 * slow dependency. Half-open: the next call is the probe; its success closes the breaker, its failure opens it again,
 * and the calls made meanwhile take the fallback. With a {@code probe} (a cheap command such as Redis PING) the breaker
 * sends it itself as soon as it turns half-open, so it closes again without waiting for traffic: an idle node's
 * health view turns green when the dependency is back, not at the next request.
 *
 * <p>The state is mirrored into a volatile field by the breaker's own transition handlers, so the request path
 * checks it without taking the breaker's lock.
 */
public final class Breaker {
  private static final Logger log = LoggerFactory.getLogger(Breaker.class);
  private static final long FAILURE_WINDOW_MS = 300_000;

  /**
   * @param failures failed calls in a row that open the breaker
   * @param timeoutMs a call not answered within this counts as failed (-1: the client's own timeout applies)
   * @param resetMs how long the breaker stays open before one call probes the dependency
   */
  public record Settings(int failures, long timeoutMs, long resetMs) {}

  private final String name;
  private final String whileOpen;
  private final Settings settings;
  private final CircuitBreaker breaker;
  private final LongAdder opened = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private volatile CircuitBreakerState state = CircuitBreakerState.CLOSED;
  private volatile String lastFailure;
  private volatile Consumer<CircuitBreakerState> onChange = next -> {};

  /**
   * @param name what is guarded, for logs and metrics ({@code redis-cache}, {@code kafka}, …)
   * @param whileOpen what the node does instead while open, for the log line (e.g. "reads bypass the cache")
   */
  public Breaker(Vertx vertx, String name, Settings settings, String whileOpen, Supplier<Future<?>> probe) {
    this.name = name;
    this.whileOpen = whileOpen;
    this.settings = settings;
    this.breaker = CircuitBreaker.create(name, vertx, new CircuitBreakerOptions()
            .setMaxFailures(settings.failures())
            .setTimeout(settings.timeoutMs())
            .setResetTimeout(settings.resetMs())
            // "in a row" is what counts (a success resets the count); the default 10 s window would never see
            // the failures of a dependency whose calls take seconds each to fail, such as Kafka sends
            .setFailuresRollingWindow(FAILURE_WINDOW_MS)
            // no periodic state messages on the (clustered) event bus: metrics read this class instead
            .setNotificationAddress(null))
        // the failure policy sees every outcome (timeouts too) before the breaker counts it: the opening line can
        // then say why
        .failurePolicy(outcome -> {
          if (outcome.succeeded()) return false;
          failed(outcome.cause());
          return true;
        })
        .openHandler(v -> opened())
        .halfOpenHandler(v -> {
          state = CircuitBreakerState.HALF_OPEN;
          onChange.accept(CircuitBreakerState.HALF_OPEN);
          // after the breaker's lock is released: the probe goes through call() like any command
          if (probe != null) vertx.runOnContext(x -> call(() -> probe.get().mapEmpty()));
        })
        .closeHandler(v -> closed());
  }

  /** Runs {@code command} unless the breaker is open; fails with {@link io.vertx.circuitbreaker.OpenCircuitException} then. */
  public <T> Future<T> call(Supplier<Future<T>> command) {
    return breaker.execute(command);
  }

  /** Whether calls are being refused: callers skip the dependency without calling (half-open lets a probe through). */
  public boolean isOpen() {
    return state == CircuitBreakerState.OPEN;
  }

  public CircuitBreakerState state() {
    return state;
  }

  /** 0 closed, 1 half-open, 2 open: the metric's value. */
  public int stateCode() {
    return switch (state) {
      case CLOSED -> 0;
      case HALF_OPEN -> 1;
      case OPEN -> 2;
    };
  }

  /** Times the breaker opened since start. */
  public long openedCount() {
    return opened.sum();
  }

  /**
   * Told of every transition, on the thread that made it (any event loop: hop to your own context) and while the
   * breaker holds its lock (do not call it back from there).
   */
  public void onChange(Consumer<CircuitBreakerState> listener) {
    this.onChange = listener;
  }

  public String name() {
    return name;
  }

  public JsonObject status() {
    return new JsonObject()
        .put("state", state.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'))
        .put("opened", opened.sum())
        .put("failures", failures.sum())
        .put("lastFailure", lastFailure);
  }

  private void failed(Throwable failure) {
    failures.increment();
    lastFailure = failure.toString();
  }

  private void opened() {
    boolean reopened = state == CircuitBreakerState.HALF_OPEN;
    state = CircuitBreakerState.OPEN;
    opened.increment();
    onChange.accept(CircuitBreakerState.OPEN);
    if (!reopened) {
      log.warn("{} unavailable ({}); {} (tried again every {} ms)", name, lastFailure, whileOpen, settings.resetMs());
    }
  }

  private void closed() {
    state = CircuitBreakerState.CLOSED;
    onChange.accept(CircuitBreakerState.CLOSED);
    log.info("{} answers again; breaker closed", name);
  }
}
