package surge.server;

import io.vertx.core.Future;

/** How many HTTP verticle instances serve the node, and changing that while it runs ({@code /admin/http}). */
public interface HttpScaling {
  int instances();

  /** Deploys or undeploys instances until {@code instances} serve; completes with the count then serving. */
  Future<Integer> scaleTo(int instances);
}
