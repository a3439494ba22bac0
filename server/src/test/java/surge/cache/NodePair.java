package surge.cache;

import io.vertx.core.Vertx;
import java.util.Map;
import surge.support.Client;
import surge.support.TestNode;

/**
 * Two standalone nodes on the stack, each on a Vert.x of its own (as two processes would be), sharing the database and
 * Redis and so each other's invalidations; started with the same overrides and returned once both caches are usable.
 */
record NodePair(Vertx vertxA, Vertx vertxB, TestNode.Started a, TestNode.Started b, Client onA, Client onB)
    implements AutoCloseable {

  static NodePair start(Map<String, String> overrides) {
    Vertx vertxA = Vertx.vertx();
    Vertx vertxB = Vertx.vertx();
    TestNode.Started a = TestNode.start(vertxA, overrides);
    TestNode.Started b = TestNode.start(vertxB, overrides);
    Client onA = new Client(vertxA, a.port());
    Client onB = new Client(vertxB, b.port());
    NodeStats.awaitCacheAvailable(onA, 10_000);
    NodeStats.awaitCacheAvailable(onB, 10_000);
    return new NodePair(vertxA, vertxB, a, b, onA, onB);
  }

  @Override
  public void close() {
    a.stop();
    b.stop();
    vertxA.close().await();
    vertxB.close().await();
  }
}
