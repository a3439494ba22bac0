package surge.server;

/**
 * Where a node is in its life, as load balancers and orchestrators should see it. Draining starts when the node is
 * asked to stop (SIGTERM): {@code /health/ready} answers 503 from then on, so traffic moves elsewhere while the node
 * still serves what reaches it during {@code shutdown.drainDelayMs}, before it stops accepting connections.
 */
public final class Lifecycle {
  private volatile boolean draining;

  public boolean draining() {
    return draining;
  }

  public void startDraining() {
    draining = true;
  }
}
