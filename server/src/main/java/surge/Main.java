package surge;

import io.vertx.core.Vertx;
import io.vertx.core.transport.Transport;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import surge.cluster.Cluster;
import surge.cluster.Transports;
import surge.config.ConfigException;
import surge.config.ConfigTree;
import surge.db.Shards;
import surge.metrics.Metrics;
import surge.observability.Logging;
import surge.observability.Tracing;
import surge.server.ShutdownConfig;

/**
 * Starts one node: reads configuration once ({@code conf/surge.json}, or the file named by
 * {@code SURGE_CONFIG}, then {@code SURGE_*} variables, then {@code --key=value} arguments), starts
 * Vert.x (clustered with Hazelcast when {@code cluster.enabled}, see {@link Cluster}) and the node, and stops it cleanly on SIGTERM.
 */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);


  private Main() {}

  /**
   * Drains and stops the node ({@link Surge#shutdown}), then Vert.x, waiting at most the configured drain delay and
   * grace period plus 15 s for the rest. A latch, not Future.await(): completions of a closing Vert.x may be
   * dispatched to event loops that are already gone.
   */
  private static void stop(Surge node, Vertx vertx, ShutdownConfig shutdown, Tracing tracing) {
    log.info("shutting down");
    long limitMs = (long) shutdown.drainDelayMs() + shutdown.graceMs() + 15_000;
    CountDownLatch stopped = new CountDownLatch(1);
    node.shutdown().onComplete(done -> vertx.close().onComplete(closed -> stopped.countDown()));
    try {
      if (!stopped.await(limitMs, TimeUnit.MILLISECONDS)) {
        log.warn("shutdown did not finish in {} ms (still at: {})", limitMs, node.stopStep());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    tracing.close();
  }

  public static void main(String[] args) {
    SurgeConfig config;
    try {
      Path file = Path.of(System.getenv().getOrDefault("SURGE_CONFIG", "conf/surge.json"));
      config = SurgeConfig.from(ConfigTree.load(file, System.getenv(), List.of(args)));
      Shards.loadMap(config.db()); // a bad shard list or map file stops start-up here, naming its key
    } catch (ConfigException e) {
      System.err.println("surge: " + e.getMessage());
      System.exit(2);
      return;
    }
    Logging.apply(config.log(), config.production());
    Tracing tracing = Tracing.start(config.tracing());
    Metrics metrics = Metrics.create(config.metrics());
    Transport transport = Transports.choose(config.vertx().transport());
    log.info("transport: {}", transport.name());
    Cluster.vertx(config.cluster(), metrics, builder -> tracing.install(builder).withTransport(transport))
        .onFailure(failure -> {
          log.error("could not join the cluster: {}", failure.getMessage(), failure);
          System.exit(1);
        })
        .onSuccess(vertx -> Surge.start(vertx, config, metrics)
            .onSuccess(node -> Runtime.getRuntime().addShutdownHook(
                new Thread(() -> stop(node, vertx, config.shutdown(), tracing), "surge-shutdown")))
            .onFailure(failure -> {
              log.error("start-up failed: {}", failure.getMessage(), failure);
              vertx.close();
              System.exit(1);
            }));
  }
}
