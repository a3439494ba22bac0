package surge.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import surge.cluster.Cluster;
import surge.cluster.ClusterConfig;

/**
 * Two clustered Vert.x instances in this JVM (two Hazelcast members on free loopback ports, each listing both), each
 * running a Surge node on the test databases. For tests of what crosses the clustered event bus.
 */
public final class ClusterPair implements AutoCloseable {
  public final Vertx vertxA;
  public final Vertx vertxB;
  public final TestNode.Started a;
  public final TestNode.Started b;
  /** How long the two members took to form the cluster. */
  public final long formedMs;

  private ClusterPair(Vertx vertxA, Vertx vertxB, TestNode.Started a, TestNode.Started b, long formedMs) {
    this.vertxA = vertxA;
    this.vertxB = vertxB;
    this.a = a;
    this.b = b;
    this.formedMs = formedMs;
  }

  /** {@code hazelcast}: Hazelcast properties for both members (tests shorten its timings); {@code nodeB}: B's overrides. */
  public static ClusterPair start(Map<String, String> hazelcast, Map<String, String> nodeB) {
    long t0 = System.nanoTime();
    // Each member must be listed before either listens, so these two ports are picked in advance (see Ports).
    List<Vertx> both = Ports.retrying(2, ports -> form(ports.get(0), ports.get(1), hazelcast));
    long formedMs = (System.nanoTime() - t0) / 1_000_000;
    TestNode.Started a = TestNode.start(both.get(0), Map.of());
    TestNode.Started b = TestNode.start(both.get(1), nodeB);
    return new ClusterPair(both.get(0), both.get(1), a, b, formedMs);
  }

  private static List<Vertx> form(int portA, int portB, Map<String, String> hazelcast) {
    List<String> members = List.of("127.0.0.1:" + portA, "127.0.0.1:" + portB);
    Future<Vertx> fa = Cluster.vertx(new ClusterConfig(true, members, "127.0.0.1", portA), hazelcast);
    Future<Vertx> fb = Cluster.vertx(new ClusterConfig(true, members, "127.0.0.1", portB), hazelcast);
    try {
      Future.join(fa, fb).await();
    } catch (RuntimeException e) {
      if (fa.succeeded()) fa.result().close().await();
      if (fb.succeeded()) fb.result().close().await();
      throw e;
    }
    return List.of(fa.result(), fb.result());
  }

  @Override
  public void close() {
    a.stop();
    b.stop();
    vertxA.close().await();
    vertxB.close().await();
  }
}
