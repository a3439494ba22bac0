package surge.support;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Base of API test classes that need one ordinary node: starts it before the class (on the
 * Vert.x instance vertx-junit5 keeps for the class) and stops it after. A subclass's own
 * {@code @BeforeAll} runs after this one, its {@code @AfterAll} before this one.
 */
@ExtendWith(VertxExtension.class)
public abstract class WithNode {
  protected static TestNode.Started node;
  protected static Client client;

  @BeforeAll
  static void startNode(Vertx vertx) {
    node = TestNode.start(vertx);
    client = new Client(vertx, node.port());
  }

  @AfterAll
  static void stopNode() {
    node.stop();
  }
}
