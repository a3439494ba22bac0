package surge.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import surge.config.SurgeConfig;

/**
 * Builds the node's Vert.x: standalone, or clustered with Hazelcast when {@code cluster.enabled}. The Hazelcast
 * configuration is programmatic (no {@code cluster.xml} on the class path is consulted):
 * <ul>
 *   <li>TCP/IP join with {@code cluster.members} listed one by one; multicast and auto-detection off, so a node
 *       never joins a cluster it was not told about;</li>
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
  public static Future<Vertx> vertx(SurgeConfig.Cluster cluster) {
    if (!cluster.enabled()) return Future.succeededFuture(Vertx.vertx());
    return vertx(cluster, Map.of());
  }

  /**
   * A clustered Vert.x whatever {@code cluster.enabled} says. {@code hazelcastProperties} are added to the
   * Hazelcast configuration (tests shorten heartbeat and merge timings with them).
   */
  public static Future<Vertx> vertx(SurgeConfig.Cluster cluster, Map<String, String> hazelcastProperties) {
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcast(cluster, hazelcastProperties));
    VertxOptions options = new VertxOptions();
    options.getEventBusOptions().setHost(cluster.host()).setClusterPublicHost(cluster.host());
    long start = System.nanoTime();
    log.info("joining cluster as {}:{}, members {}", cluster.host(), cluster.port(), cluster.members());
    return Vertx.builder().with(options).withClusterManager(manager).buildClustered()
        .onSuccess(vertx -> log.info("clustered in {} ms: {} member(s)", (System.nanoTime() - start) / 1_000_000,
            manager.getNodes().size()));
  }

  /** The Hazelcast configuration of one member. */
  public static Config hazelcast(SurgeConfig.Cluster cluster, Map<String, String> properties) {
    // Before any Hazelcast class logs: the property is read once, when its logging starts.
    System.setProperty("hazelcast.logging.type", "slf4j");
    Config config = new Config();
    config.setClusterName("surge");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    // Vert.x leaves the cluster when it closes; Hazelcast's own JVM hook would race Main's shutdown.
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    properties.forEach(config::setProperty);

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(false);
    network.getInterfaces().setEnabled(true).addInterface(cluster.host());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());

    config.addMultiMapConfig(new MultiMapConfig(SUBS).setBackupCount(1)
        .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    config.addMapConfig(new MapConfig(HA_INFO).setBackupCount(1));
    config.addMapConfig(new MapConfig(NODE_INFO).setBackupCount(1));
    return config;
  }
}
