package surge.cluster;

import java.util.List;
import surge.config.Checked;
import surge.config.ConfigException;
import surge.config.Doc;
import surge.config.Range;

/**
 * Clustering of the nodes' Vert.x instances (Hazelcast, see {@link Cluster}): with it on, the event bus spans every
 * node and carries cache invalidations ({@code cluster.*}). The member list is checked only for TCP/IP discovery,
 * the Kubernetes keys only for Kubernetes discovery.
 */
@Doc("Clustering of the nodes' Vert.x instances with Hazelcast; the event bus then spans the nodes ([cluster.md](cluster.md)).")
public record ClusterConfig(
    @Doc("Start Vert.x clustered; off = a standalone node.") boolean enabled,
    @Doc("Every member's Hazelcast `host:port`, comma-separated and listed one by one, this node's own included (TCP/IP"
        + " discovery; a port range such as `5701-5703` is refused).") List<String> members,
    @Doc("Interface Hazelcast and the event bus bind to and announce; must be an address the other members can reach.")
    String host,
    @Doc("This member's Hazelcast port; no auto-increment: a taken port fails start-up.") @Range(min = 1, max = 65535)
    int port,
    @Doc("How members find each other: `tcp`, the `cluster.members` list; `kubernetes`, Hazelcast's Kubernetes discovery"
        + " (`cluster.kubernetes.*`).") String discovery,
    @Doc("A member silent this long is dropped by the others (Hazelcast's `hazelcast.max.no.heartbeat.seconds`, whole"
        + " seconds); heartbeats go out at least five times per timeout, at most every 5 s. Shorter drops dead nodes"
        + " sooner but splits off nodes that pause (GC, CPU starvation).") @Range(min = 2000, max = 3_600_000)
    int failureTimeoutMs,
    @Doc("How often a split-off member looks for the rest of the cluster to merge back into (Hazelcast's first and next"
        + " merge run delay, whole seconds), and how often each node checks its event-bus registrations: the longest a"
        + " healed split stays split.") @Range(min = 1000, max = 3_600_000) int mergeDelayMs,
    Kubernetes kubernetes) implements Checked {
  public static final String TCP = "tcp";
  public static final String KUBERNETES = "kubernetes";

  /** TCP/IP discovery with the production timings of conf/surge.json: for tests and tools that build one by hand. */
  public ClusterConfig(boolean enabled, List<String> members, String host, int port) {
    this(enabled, members, host, port, TCP, 30_000, 60_000, Kubernetes.NONE);
  }

  public boolean kubernetesDiscovery() {
    return KUBERNETES.equals(discovery);
  }

  /** Hazelcast counts these in whole seconds. */
  public int failureTimeoutSeconds() {
    return failureTimeoutMs / 1000;
  }

  public int mergeDelaySeconds() {
    return mergeDelayMs / 1000;
  }

  /**
   * Hazelcast's heartbeat interval for this failure timeout: at least five heartbeats fit in it, so one lost or late
   * packet never drops a member; at most Hazelcast's default of 5 s.
   */
  public int heartbeatSeconds() {
    return Math.max(1, Math.min(5, failureTimeoutSeconds() / 5));
  }

  @Override
  public void check() {
    if (!discovery.equals(TCP) && !kubernetesDiscovery()) {
      throw ConfigException.key("cluster.discovery", "expected tcp or kubernetes, got '" + discovery + "'");
    }
    if (!enabled) return;
    if (host.isBlank()) throw ConfigException.key("cluster.host", "must be set when cluster.enabled is true");
    if (kubernetesDiscovery()) {
      kubernetes.checkOneMode();
      return;
    }
    if (members.isEmpty()) {
      throw ConfigException.key("cluster.members", "must list at least one host:port when cluster.enabled is true");
    }
    for (String member : members) {
      if (!member.matches("[^:\\s,]+:\\d{1,5}")) {
        throw ConfigException.key("cluster.members", "expected host:port entries listed one by one (no port ranges),"
            + " got '" + member + "'");
      }
    }
  }

  /**
   * Hazelcast's built-in Kubernetes discovery ({@code cluster.discovery=kubernetes}). DNS lookup mode when
   * {@code serviceDns} is set (no Kubernetes API access needed), else API mode, which asks the Kubernetes API for the
   * endpoints of {@code serviceName} in {@code namespace} (the pod's service account must be allowed to read
   * endpoints and pods).
   */
  @Doc("Where `kubernetes` discovery looks: DNS mode with `serviceDns`, else API mode with `serviceName`.")
  public record Kubernetes(
      @Doc("DNS mode: a headless Service's name, e.g. `surge-hz.surge.svc.cluster.local`.") String serviceDns,
      @Doc("API mode (instead of `serviceDns`): the Service whose endpoints are the members.") String serviceName,
      @Doc("API mode: the Service's namespace; empty = the pod's own.") String namespace) {
    public static final Kubernetes NONE = new Kubernetes("", "", "");

    public Kubernetes {
      serviceDns = serviceDns.trim();
      serviceName = serviceName.trim();
      namespace = namespace.trim();
    }

    public boolean dnsMode() {
      return !serviceDns.isBlank();
    }

    /** Exactly one mode: Hazelcast refuses a configuration that sets both, and finds nothing with neither. */
    void checkOneMode() {
      if (dnsMode() && !serviceName.isBlank()) {
        throw ConfigException.keys("cluster.kubernetes.serviceDns", "cluster.kubernetes.serviceName", "exclude each other: set one");
      }
      if (!dnsMode() && serviceName.isBlank()) {
        throw ConfigException.keys("cluster.kubernetes.serviceDns", "cluster.kubernetes.serviceName",
            "are both empty: set one when cluster.discovery is kubernetes");
      }
    }
  }
}
