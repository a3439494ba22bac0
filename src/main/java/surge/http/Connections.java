package surge.http;

import io.vertx.core.http.HttpConnection;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's open client connections, across all HTTP verticle instances, and the cap {@code http.maxConnections}:
 * a connection over the cap is closed as soon as it is accepted, before it costs a request's worth of work, so the
 * node degrades by refusing newcomers rather than by running out of file descriptors or memory.
 */
public final class Connections {
  private final int max;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();

  public Connections(int max) {
    this.max = max;
  }

  /** Called for every accepted connection, on its event loop. */
  void accepted(HttpConnection connection) {
    int now = open.incrementAndGet();
    if (max > 0 && now > max) {
      open.decrementAndGet();
      refused.incrementAndGet();
      connection.close();
      return;
    }
    connection.closeHandler(v -> open.decrementAndGet());
  }

  public int open() {
    return open.get();
  }

  public int refused() {
    return refused.get();
  }
}
