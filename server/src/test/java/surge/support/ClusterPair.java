package surge.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import surge.cluster.Cluster;
import surge.config.SurgeConfig;

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
    int portA = TestNode.freePort();
    int portB = TestNode.freePort();
    while (portB == portA) portB = TestNode.freePort();
    List<String> members = List.of("127.0.0.1:" + portA, "127.0.0.1:" + portB);
    long t0 = System.nanoTime();
    Future<Vertx> fa = Cluster.vertx(new SurgeConfig.Cluster(true, members, "127.0.0.1", portA), hazelcast);
    Future<Vertx> fb = Cluster.vertx(new SurgeConfig.Cluster(true, members, "127.0.0.1", portB), hazelcast);
    try {
      Future.join(fa, fb).await();
    } catch (RuntimeException e) {
      if (fa.succeeded()) fa.result().close().await();
      if (fb.succeeded()) fb.result().close().await();
      throw e;
    }
    long formedMs = (System.nanoTime() - t0) / 1_000_000;
    TestNode.Started a = TestNode.start(fa.result(), Map.of());
    TestNode.Started b = TestNode.start(fb.result(), nodeB);
    return new ClusterPair(fa.result(), fb.result(), a, b, formedMs);
  }

  @Override
  public void close() {
    a.stop();
    b.stop();
    vertxA.close().await();
    vertxB.close().await();
  }
}
