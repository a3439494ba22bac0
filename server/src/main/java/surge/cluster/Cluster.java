package surge.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import surge.metrics.Metrics;

/**
 * Builds the node's Vert.x: standalone, or clustered with Hazelcast when {@code cluster.enabled}. The Hazelcast
 * configuration is programmatic (no {@code cluster.xml} on the class path is consulted):
 * <ul>
 *   <li>TCP/IP join with {@code cluster.members} listed one by one ({@code cluster.discovery=tcp}), or Hazelcast's
 *       Kubernetes discovery ({@code kubernetes}); multicast and auto-detection off, so a node never joins a cluster
 *       it was not told about;</li>
 *   <li>failure detection and split-brain merge timing from {@code cluster.failureTimeoutMs} and
 *       {@code cluster.mergeDelayMs} (see {@link #timings});</li>
 *   <li>bound to {@code cluster.host} only (interfaces on, {@code hazelcast.socket.bind.any=false}), on
 *       {@code cluster.port} with port auto-increment off: a taken port fails start-up rather than
 *       silently moving to a port the other members do not list;</li>
 *   <li>cluster name {@code surge}; the maps Vert.x keeps its subscriptions and node info in, as in
 *       vertx-hazelcast's {@code default-cluster.xml} (one backup);</li>
 *   <li>Hazelcast logs through slf4j ({@code hazelcast.logging.type=slf4j}); logback keeps it at WARN.</li>
 * </ul>
 * The event bus listens on {@code cluster.host} (random port) and announces the same host.
 */
public final class Cluster {
  private static final Logger log = LoggerFactory.getLogger(Cluster.class);

  /** Vert.x's own Hazelcast structures (see vertx-hazelcast's default-cluster.xml). */
  private static final String SUBS = "__vertx.subs";
  private static final String HA_INFO = "__vertx.haInfo";
  private static final String NODE_INFO = "__vertx.nodeInfo";

  private Cluster() {}

  /** A standalone Vert.x, or a clustered one once it joined (or formed) the cluster. */
  public static Future<Vertx> vertx(ClusterConfig cluster) {
    return vertx(cluster, null, UnaryOperator.identity());
  }

  /**
   * As {@link #vertx(ClusterConfig)}, with Vert.x's own meters in {@code metrics}' registry (when metrics are on;
   * null for none) and {@code extras} applied to the builder: what other packages add to the instance, e.g. the
   * tracer of {@link surge.observability.Tracing#install}.
   */
  public static Future<Vertx> vertx(ClusterConfig cluster, Metrics metrics, UnaryOperator<VertxBuilder> extras) {
    if (!cluster.enabled()) return Future.succeededFuture(extras.apply(builder(new VertxOptions(), metrics)).build());
    return vertx(cluster, Map.of(), metrics, extras);
  }

  /**
   * A clustered Vert.x whatever {@code cluster.enabled} says. {@code hazelcastProperties} are added to the
   * Hazelcast configuration (tests shorten heartbeat and merge timings with them).
   */
  public static Future<Vertx> vertx(ClusterConfig cluster, Map<String, String> hazelcastProperties) {
    return vertx(cluster, hazelcastProperties, null, UnaryOperator.identity());
  }

  private static VertxBuilder builder(VertxOptions options, Metrics metrics) {
    return metrics == null ? Vertx.builder().with(options) : metrics.vertxBuilder(options);
  }

  private static Future<Vertx> vertx(ClusterConfig cluster, Map<String, String> hazelcastProperties,
                                     Metrics metrics, UnaryOperator<VertxBuilder> extras) {
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcast(cluster, hazelcastProperties));
    VertxOptions options = new VertxOptions();
    options.getEventBusOptions().setHost(cluster.host()).setClusterPublicHost(cluster.host());
    long start = System.nanoTime();
    log.info("joining cluster as {}:{}, {}; failure timeout {} ms, merge delay {} ms", cluster.host(), cluster.port(),
        cluster.kubernetesDiscovery() ? "Kubernetes discovery " + cluster.kubernetes() : "members " + cluster.members(),
        cluster.failureTimeoutMs(), cluster.mergeDelayMs());
    return extras.apply(builder(options, metrics).withClusterManager(manager)).buildClustered()
        .onSuccess(vertx -> log.info("clustered in {} ms: {} member(s)", (System.nanoTime() - start) / 1_000_000,
            manager.getNodes().size()));
  }

  /** The Hazelcast configuration of one member. */
  public static Config hazelcast(ClusterConfig cluster, Map<String, String> properties) {
    // Before any Hazelcast class logs: the property is read once, when its logging starts.
    System.setProperty("hazelcast.logging.type", "slf4j");
    Config config = new Config();
    config.setClusterName("surge");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    // Vert.x leaves the cluster when it closes; Hazelcast's own JVM hook would race Main's shutdown.
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    timings(config, cluster);
    properties.forEach(config::setProperty);

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(false);
    network.getInterfaces().setEnabled(true).addInterface(cluster.host());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (cluster.kubernetesDiscovery()) kubernetes(join, cluster.kubernetes());
    else join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());

    config.addMultiMapConfig(new MultiMapConfig(SUBS).setBackupCount(1)
        .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    config.addMapConfig(new MapConfig(HA_INFO).setBackupCount(1));
    config.addMapConfig(new MapConfig(NODE_INFO).setBackupCount(1));
    return config;
  }

  /**
   * Failure detection and split-brain merge from {@code cluster.failureTimeoutMs} and
   * {@code cluster.mergeDelayMs}. Hazelcast's defaults (60 s, first merge 300 s after start) would leave a
   * paused node's invalidations and live events cut off for minutes after it resumed.
   */
  static void timings(Config config, ClusterConfig cluster) {
    config.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(cluster.failureTimeoutSeconds()));
    config.setProperty("hazelcast.heartbeat.interval.seconds", Integer.toString(cluster.heartbeatSeconds()));
    config.setProperty("hazelcast.merge.first.run.delay.seconds", Integer.toString(cluster.mergeDelaySeconds()));
    config.setProperty("hazelcast.merge.next.run.delay.seconds", Integer.toString(cluster.mergeDelaySeconds()));
  }

  /**
   * Hazelcast's built-in Kubernetes discovery: DNS lookup of a headless Service, or the Kubernetes API (endpoints of a
   * Service). Members still bind {@code cluster.host} (the pod IP, e.g. from the downward API) on {@code cluster.port}.
   */
  static void kubernetes(JoinConfig join, ClusterConfig.Kubernetes k) {
    var config = join.getKubernetesConfig().setEnabled(true);
    if (k.dnsMode()) {
      config.setProperty("service-dns", k.serviceDns());
      return;
    }
    config.setProperty("service-name", k.serviceName());
    if (!k.namespace().isBlank()) config.setProperty("namespace", k.namespace());
  }
}
