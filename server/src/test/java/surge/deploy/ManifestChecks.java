package surge.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import surge.SurgeConfig;
import surge.cluster.ClusterConfig;
import surge.config.ConfigTree;

/**
 * What no cluster here can check: whether a rendered overlay fits Surge. Every problem found is one line in the result;
 * an empty list means the overlay passed. The checks (each can fail; KubernetesManifestsIT breaks each on purpose):
 * <ul>
 *   <li>every {@code SURGE_*} variable a Surge container gets (env and envFrom) is a config key's variable, as
 *       {@link ConfigTree#envName} names the leaves of conf/surge.json, or {@code SURGE_CONFIG};</li>
 *   <li>{@code SURGE_CONFIG} names a file mounted from a ConfigMap whose content is conf/surge.json;</li>
 *   <li>Surge accepts the resulting configuration ({@link SurgeConfig#from}), and on it: API and management ports
 *       bound to all interfaces and declared as named container ports; probes on Surge's routes and the API port;
 *       clustering through Kubernetes discovery that names the headless Service; the grace period covering the
 *       preStop sleep, the drain delay, the grace period and Main's allowance;</li>
 *   <li>named ports of probes, Services and NetworkPolicies exist; Services, PDBs and policies select pods;</li>
 *   <li>JVM sized from the memory limit, non-root, HPA/PDB/NetworkPolicy shape, Secret references, templates empty.</li>
 * </ul>
 */
final class ManifestChecks {
  /**
   * Surge's probe endpoints. Both are mounted by {@code surge.server.Health#mount} on the root router of the API server
   * ({@code surge.server.Api}), i.e. on {@code http.port}; KubernetesManifestsIT asserts that Health mounts them.
   */
  static final String LIVE = "/health/live";
  static final String READY = "/health/ready";
  static final Set<String> PROBE_ROUTES = Set.of(LIVE, READY);

  /** {@code surge.Main} reads the defaults file's path from this variable; it is no config key. */
  static final String CONFIG_FILE_VAR = "SURGE_CONFIG";

  /** {@code surge.Main#stop} waits {@code drainDelayMs + graceMs} plus this long for the node and Vert.x to close. */
  static final long MAIN_CLOSE_ALLOWANCE_MS = 15_000;

  /**
   * The port Hazelcast's DNS discovery dials on every address it finds: Surge passes no {@code service-port}
   * ({@code surge.cluster.Cluster#kubernetes}), and Hazelcast's {@code DnsEndpointResolver} then uses 5701.
   */
  static final int HAZELCAST_DNS_PORT = 5701;

  /** Above this share of the container's memory for the heap, direct buffers and metaspace get too little. */
  static final double MAX_RAM_PERCENTAGE = 80;

  /** Placeholders for what only a running pod knows. */
  private static final String POD_IP = "10.1.2.3";
  private static final String SECRET_VALUE = "s".repeat(48);

  private static final Pattern VAR_REF = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
  private static final Pattern MAX_RAM = Pattern.compile("-XX:MaxRAMPercentage=([0-9.]+)");

  private final List<HasMetadata> objects;
  private final List<Secret> templates;
  private final String defaultsText;
  private final JsonObject defaults;
  private final Map<String, String> keyByEnv = new HashMap<>();
  private final List<String> problems = new ArrayList<>();

  private ManifestChecks(List<HasMetadata> objects, List<Secret> templates, String defaultsText) {
    this.objects = objects;
    this.templates = templates;
    this.defaultsText = defaultsText;
    this.defaults = new JsonObject(defaultsText);
    for (String key : leafKeys(defaults, "")) keyByEnv.put(ConfigTree.envName(key), key);
  }

  /**
   * The problems of one rendered overlay. {@code templates} are Secrets kept outside every kustomization (created by
   * the operator under the same names); {@code defaultsText} is conf/surge.json.
   */
  static List<String> check(List<HasMetadata> objects, List<Secret> templates, String defaultsText) {
    ManifestChecks c = new ManifestChecks(objects, templates, defaultsText);
    c.run();
    return c.problems;
  }

  /** The config keys of a defaults tree: its leaf paths. */
  static List<String> leafKeys(JsonObject node, String prefix) {
    List<String> keys = new ArrayList<>();
    for (String name : node.fieldNames()) {
      Object value = node.getValue(name);
      if (value instanceof JsonObject child) keys.addAll(leafKeys(child, prefix + name + "."));
      else keys.add(prefix + name);
    }
    return keys;
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** A pod template and what owns it. */
  private record Workload(HasMetadata owner, PodTemplateSpec template) {
    String ns() {
      return namespace(owner);
    }

    Map<String, String> labels() {
      return Optional.ofNullable(template.getMetadata().getLabels()).orElse(Map.of());
    }

    PodSpec spec() {
      return template.getSpec();
    }

    String name() {
      return owner.getKind() + " " + owner.getMetadata().getName();
    }
  }

  private void run() {
    List<Workload> workloads = workloads();
    for (HasMetadata o : objects) {
      if (!(o instanceof Namespace) && namespace(o).isEmpty()) problem(describe(o) + " has no namespace");
    }
    for (Workload w : workloads) {
      for (Container c : w.spec().getContainers()) {
        probePortsExist(w, c);
        knownVariables(w, c, environment(w, c));
      }
      volumesExist(w);
    }
    for (Service s : all(Service.class)) servicePorts(s, workloads);
    for (NetworkPolicy p : all(NetworkPolicy.class)) policyPortsExist(p, workloads);
    for (Secret t : templates) templateEmpty(t);

    List<Workload> surge = workloads.stream()
        .filter(w -> w.spec().getContainers().stream().anyMatch(c -> c.getName().equals("surge"))).toList();
    if (surge.size() != 1) {
      problem("expected one workload with a container named surge, found " + surge.size());
      return;
    }
    surge(surge.get(0));
  }

  private void surge(Workload w) {
    Container c = w.spec().getContainers().stream().filter(x -> x.getName().equals("surge")).findFirst().orElseThrow();
    Map<String, String> env = environment(w, c);
    JsonObject mounted = configFile(w, c, env.get(CONFIG_FILE_VAR));

    Map<String, String> overrides = new LinkedHashMap<>();
    env.forEach((name, value) -> {
      String key = keyByEnv.get(name);
      if (key != null) overrides.put(key, value);
    });
    // The shard-map file lives in the pod; whatever file of that name this machine has says nothing about it.
    overrides.put("db.shardMapFile", "");
    SurgeConfig config;
    try {
      config = SurgeConfig.from(ConfigTree.of(mounted, overrides));
    } catch (RuntimeException e) {
      problem(w.name() + ": Surge would not start with this configuration: " + e.getMessage());
      return;
    }
    ports(w, c, config);
    probes(w, c, config);
    shutdown(w, c, config);
    cluster(w, c, config);
    jvm(w, c);
    security(w, c);
    if (!Boolean.FALSE.equals(w.spec().getEnableServiceLinks())) {
      problem(w.name() + ": enableServiceLinks must be false: service links inject SURGE_<SERVICE>_* variables");
    }
    autoscaling(w);
    networkPolicy(w, c, config);
  }

  /** Every SURGE_* variable of any container names a config key (or the defaults file). */
  private void knownVariables(Workload w, Container c, Map<String, String> env) {
    for (String name : env.keySet()) {
      if (name.startsWith("SURGE_") && !name.equals(CONFIG_FILE_VAR) && !keyByEnv.containsKey(name)) {
        problem(w.name() + " container " + c.getName() + ": " + name
            + " is not a Surge config key (no leaf of conf/surge.json has that variable)");
      }
    }
  }

  // --- environment ------------------------------------------------------------------------------------------------

  /** The container's variables as the kubelet would set them (env after envFrom, $(VAR) expanded). */
  private Map<String, String> environment(Workload w, Container c) {
    String where = w.name() + " container " + c.getName();
    Map<String, String> env = new LinkedHashMap<>();
    Map<String, String> fromEnvFrom = new HashMap<>();
    for (EnvFromSource from : Optional.ofNullable(c.getEnvFrom()).orElse(List.of())) {
      String prefix = Optional.ofNullable(from.getPrefix()).orElse("");
      Map<String, String> values = null;
      String source = null;
      if (from.getConfigMapRef() != null) {
        source = "ConfigMap " + from.getConfigMapRef().getName();
        values = find(ConfigMap.class, w.ns(), from.getConfigMapRef().getName()).map(ConfigMap::getData).orElse(null);
        if (values == null && !Boolean.TRUE.equals(from.getConfigMapRef().getOptional())) problem(where + ": envFrom names a missing " + source);
      } else if (from.getSecretRef() != null) {
        source = "Secret " + from.getSecretRef().getName();
        values = secretKeys(w.ns(), from.getSecretRef().getName()).map(keys -> placeholders(keys)).orElse(null);
        if (values == null && !Boolean.TRUE.equals(from.getSecretRef().getOptional())) problem(where + ": envFrom names a missing " + source);
      }
      if (values == null) continue;
      for (var e : values.entrySet()) {
        env.put(prefix + e.getKey(), e.getValue());
        fromEnvFrom.put(prefix + e.getKey(), source);
      }
    }
    Set<String> seen = new java.util.HashSet<>();
    for (EnvVar var : Optional.ofNullable(c.getEnv()).orElse(List.of())) {
      String name = var.getName();
      if (!seen.add(name)) problem(where + ": " + name + " is set twice in env");
      if (fromEnvFrom.containsKey(name)) {
        problem(where + ": " + name + " comes from " + fromEnvFrom.get(name) + " and from env (env wins, the other value is dead)");
      }
      env.put(name, value(w, where, var, env));
    }
    return env;
  }

  private String value(Workload w, String where, EnvVar var, Map<String, String> earlier) {
    if (var.getValueFrom() == null) {
      String raw = Optional.ofNullable(var.getValue()).orElse("");
      Matcher m = VAR_REF.matcher(raw);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String ref = m.group(1);
        if (!earlier.containsKey(ref)) problem(where + ": " + var.getName() + " refers to $(" + ref + "), which is not set before it");
        m.appendReplacement(out, Matcher.quoteReplacement(earlier.getOrDefault(ref, m.group())));
      }
      m.appendTail(out);
      return out.toString();
    }
    var from = var.getValueFrom();
    if (from.getFieldRef() != null) {
      return switch (from.getFieldRef().getFieldPath()) {
        case "metadata.namespace" -> w.ns();
        case "status.podIP" -> POD_IP;
        default -> from.getFieldRef().getFieldPath();
      };
    }
    if (from.getSecretKeyRef() != null) {
      var ref = from.getSecretKeyRef();
      Optional<Set<String>> keys = secretKeys(w.ns(), ref.getName());
      if ((keys.isEmpty() || !keys.get().contains(ref.getKey())) && !Boolean.TRUE.equals(ref.getOptional())) {
        problem(where + ": " + var.getName() + " needs key " + ref.getKey() + " of Secret " + ref.getName()
            + ", which neither the overlay nor a template has");
      }
      return SECRET_VALUE;
    }
    if (from.getConfigMapKeyRef() != null) {
      var ref = from.getConfigMapKeyRef();
      String value = find(ConfigMap.class, w.ns(), ref.getName()).map(ConfigMap::getData).map(d -> d.get(ref.getKey())).orElse(null);
      if (value == null && !Boolean.TRUE.equals(ref.getOptional())) {
        problem(where + ": " + var.getName() + " needs key " + ref.getKey() + " of a missing ConfigMap " + ref.getName());
      }
      return Optional.ofNullable(value).orElse("");
    }
    return "";
  }

  /** The keys of a Secret of the overlay, or else of a template of that name. */
  private Optional<Set<String>> secretKeys(String ns, String name) {
    Optional<Secret> secret = find(Secret.class, ns, name);
    if (secret.isEmpty()) secret = templates.stream().filter(t -> t.getMetadata().getName().equals(name)).findFirst();
    return secret.map(s -> {
      Set<String> keys = new java.util.TreeSet<>();
      if (s.getData() != null) keys.addAll(s.getData().keySet());
      if (s.getStringData() != null) keys.addAll(s.getStringData().keySet());
      return keys;
    });
  }

  private static Map<String, String> placeholders(Set<String> keys) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String k : keys) out.put(k, SECRET_VALUE);
    return out;
  }

  private void templateEmpty(Secret t) {
    if (t.getData() != null && !t.getData().isEmpty()) problem("template Secret " + t.getMetadata().getName() + " has data");
    Optional.ofNullable(t.getStringData()).orElse(Map.of()).forEach((k, v) -> {
      if (!v.isEmpty()) problem("template Secret " + t.getMetadata().getName() + " has a value for " + k);
    });
  }

  // --- config file ------------------------------------------------------------------------------------------------

  /** The defaults file SURGE_CONFIG points at, as mounted from its ConfigMap; conf/surge.json when it is not found. */
  private JsonObject configFile(Workload w, Container c, String path) {
    String where = w.name() + ": " + CONFIG_FILE_VAR;
    if (path == null) {
      problem(where + " is not set: the node would read whatever conf/surge.json the image has");
      return defaults;
    }
    for (VolumeMount mount : Optional.ofNullable(c.getVolumeMounts()).orElse(List.of())) {
      String key;
      if (mount.getSubPath() != null && !mount.getSubPath().isEmpty()) {
        if (!path.equals(mount.getMountPath())) continue;
        key = mount.getSubPath();
      } else if (path.startsWith(mount.getMountPath().replaceAll("/$", "") + "/")) {
        key = path.substring(mount.getMountPath().replaceAll("/$", "").length() + 1);
      } else {
        continue;
      }
      Volume volume = Optional.ofNullable(w.spec().getVolumes()).orElse(List.of()).stream()
          .filter(v -> v.getName().equals(mount.getName())).findFirst().orElse(null);
      if (volume == null || volume.getConfigMap() == null) {
        problem(where + "=" + path + " is not on a ConfigMap volume");
        return defaults;
      }
      String file = key;
      String cmKey = Optional.ofNullable(volume.getConfigMap().getItems()).orElse(List.of()).stream()
          .filter(i -> i.getPath().equals(file)).map(i -> i.getKey()).findFirst().orElse(file);
      String text = find(ConfigMap.class, w.ns(), volume.getConfigMap().getName())
          .map(ConfigMap::getData).map(d -> d.get(cmKey)).orElse(null);
      if (text == null) {
        problem(where + "=" + path + ": ConfigMap " + volume.getConfigMap().getName() + " has no key " + cmKey);
        return defaults;
      }
      if (!text.equals(defaultsText)) {
        problem(where + "=" + path + ": ConfigMap " + volume.getConfigMap().getName()
            + " is not conf/surge.json (fix: cp conf/surge.json k8s/base/surge.json)");
      }
      try {
        return new JsonObject(text);
      } catch (RuntimeException e) {
        problem(where + "=" + path + ": not JSON: " + e.getMessage());
        return defaults;
      }
    }
    problem(where + "=" + path + " is not in any volume mount of container " + c.getName());
    return defaults;
  }

  // --- ports and probes ------------------------------------------------------------------------------------------

  private void ports(Workload w, Container c, SurgeConfig config) {
    if (!anyInterface(config.http().host())) {
      problem(w.name() + ": http.host is " + config.http().host() + ": probes and the Service reach the pod's address");
    }
    expectPort(w, c, "http", config.http().port(), "http.port");
    if (config.management().enabled()) {
      if (!anyInterface(config.management().host())) {
        problem(w.name() + ": management.host is " + config.management().host()
            + ": Prometheus cannot scrape it (set SURGE_MANAGEMENT_HOST=0.0.0.0)");
      }
      expectPort(w, c, "management", config.management().port(), "management.port");
      Map<String, String> annotations = Optional.ofNullable(w.template().getMetadata().getAnnotations()).orElse(Map.of());
      String scrapePort = annotations.get("prometheus.io/port");
      if (scrapePort != null && !scrapePort.equals(String.valueOf(config.management().port()))) {
        problem(w.name() + ": annotation prometheus.io/port " + scrapePort + " is not management.port " + config.management().port());
      }
    }
    if (config.cluster().enabled()) expectPort(w, c, "hazelcast", config.cluster().port(), "cluster.port");
  }

  private static boolean anyInterface(String host) {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
  }

  private void expectPort(Workload w, Container c, String name, int port, String key) {
    Optional<ContainerPort> p = ports(c).stream().filter(x -> name.equals(x.getName())).findFirst();
    if (p.isEmpty()) problem(w.name() + ": no container port named " + name + " (" + key + " " + port + ")");
    else if (p.get().getContainerPort() != port) {
      problem(w.name() + ": container port " + name + " is " + p.get().getContainerPort() + " but " + key + " is " + port);
    }
  }

  private void probes(Workload w, Container c, SurgeConfig config) {
    probe(w, c, "startupProbe", c.getStartupProbe(), null, config);
    probe(w, c, "livenessProbe", c.getLivenessProbe(), LIVE, config);
    probe(w, c, "readinessProbe", c.getReadinessProbe(), READY, config);
  }

  private void probe(Workload w, Container c, String kind, Probe probe, String expected, SurgeConfig config) {
    String where = w.name() + ": " + kind;
    if (probe == null) {
      problem(where + " is missing");
      return;
    }
    if (probe.getHttpGet() == null) {
      problem(where + " is not an HTTP GET of Surge's health routes");
      return;
    }
    String path = probe.getHttpGet().getPath();
    if (!PROBE_ROUTES.contains(path)) problem(where + ": " + path + " is not one of Surge's probe routes " + PROBE_ROUTES);
    else if (expected != null && !expected.equals(path)) problem(where + " must use " + expected + ", not " + path);
    Integer port = resolve(c, probe.getHttpGet().getPort());
    if (port == null || port != config.http().port()) {
      problem(where + ": port " + show(probe.getHttpGet().getPort()) + " is not the API port (http.port " + config.http().port() + ")");
    }
    String scheme = Optional.ofNullable(probe.getHttpGet().getScheme()).orElse("HTTP");
    String want = config.tls().enabled() ? "HTTPS" : "HTTP";
    if (!scheme.equals(want)) problem(where + ": scheme " + scheme + ", but the API speaks " + want);
  }

  private void probePortsExist(Workload w, Container c) {
    for (Probe p : new Probe[] {c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe()}) {
      if (p == null) continue;
      IntOrString port = p.getHttpGet() != null ? p.getHttpGet().getPort() : p.getTcpSocket() != null ? p.getTcpSocket().getPort() : null;
      if (port != null && port.getStrVal() != null && resolve(c, port) == null) {
        problem(w.name() + " container " + c.getName() + ": a probe uses port " + port.getStrVal() + ", which no container port is named");
      }
    }
  }

  private static List<ContainerPort> ports(Container c) {
    return Optional.ofNullable(c.getPorts()).orElse(List.of());
  }

  /** A named or numbered port of a container, as a number; null if the name is not one of its ports. */
  private static Integer resolve(Container c, IntOrString port) {
    if (port == null) return null;
    if (port.getIntVal() != null) return port.getIntVal();
    return ports(c).stream().filter(p -> port.getStrVal().equals(p.getName())).map(ContainerPort::getContainerPort)
        .findFirst().orElse(null);
  }

  /** A named or numbered port in any container of a pod, as a number; null if no container has it. */
  private static Integer resolve(Workload w, IntOrString port) {
    for (Container c : w.spec().getContainers()) {
      if (port.getStrVal() != null) {
        Integer n = resolve(c, port);
        if (n != null) return n;
      } else if (ports(c).stream().anyMatch(p -> p.getContainerPort().equals(port.getIntVal()))) {
        return port.getIntVal();
      }
    }
    return null;
  }

  private static String show(IntOrString port) {
    return port == null ? "(none)" : port.getStrVal() != null ? port.getStrVal() : String.valueOf(port.getIntVal());
  }

  private void servicePorts(Service s, List<Workload> workloads) {
    Map<String, String> selector = Optional.ofNullable(s.getSpec().getSelector()).orElse(Map.of());
    List<Workload> selected = workloads.stream()
        .filter(w -> w.ns().equals(namespace(s)) && !selector.isEmpty() && matches(selector, w.labels())).toList();
    if (selected.isEmpty()) {
      problem(describe(s) + " selects no pods");
      return;
    }
    for (ServicePort p : s.getSpec().getPorts()) {
      IntOrString target = p.getTargetPort() != null ? p.getTargetPort() : new IntOrString(p.getPort());
      for (Workload w : selected) {
        if (resolve(w, target) == null) {
          problem(describe(s) + " port " + p.getName() + ": target " + show(target) + " is no container port of " + w.name());
        }
      }
    }
  }

  private void policyPortsExist(NetworkPolicy p, List<Workload> workloads) {
    for (Workload w : selectedBy(p, workloads)) {
      for (NetworkPolicyIngressRule rule : Optional.ofNullable(p.getSpec().getIngress()).orElse(List.of())) {
        for (NetworkPolicyPort port : Optional.ofNullable(rule.getPorts()).orElse(List.of())) {
          if (port.getPort() != null && port.getPort().getStrVal() != null && resolve(w, port.getPort()) == null) {
            problem(describe(p) + ": port " + port.getPort().getStrVal() + " is no container port of " + w.name());
          }
        }
      }
    }
  }

  private void volumesExist(Workload w) {
    for (Volume v : Optional.ofNullable(w.spec().getVolumes()).orElse(List.of())) {
      if (v.getConfigMap() != null && !Boolean.TRUE.equals(v.getConfigMap().getOptional())
          && find(ConfigMap.class, w.ns(), v.getConfigMap().getName()).isEmpty()) {
        problem(w.name() + ": volume " + v.getName() + " needs a missing ConfigMap " + v.getConfigMap().getName());
      }
    }
  }

  // --- shutdown, cluster, JVM, security ---------------------------------------------------------------------------

  private void shutdown(Workload w, Container c, SurgeConfig config) {
    long preStopMs = 0;
    var preStop = c.getLifecycle() == null ? null : c.getLifecycle().getPreStop();
    if (preStop != null && preStop.getSleep() != null) {
      preStopMs = preStop.getSleep().getSeconds() * 1000;
    } else if (preStop != null && preStop.getExec() != null && preStop.getExec().getCommand().size() == 2
        && preStop.getExec().getCommand().get(0).endsWith("sleep")
        && preStop.getExec().getCommand().get(1).matches("[0-9]+(\\.[0-9]+)?")) {
      preStopMs = (long) (Double.parseDouble(preStop.getExec().getCommand().get(1)) * 1000);
    } else {
      problem(w.name() + ": no preStop sleep: endpoints would still send to a pod that has begun to stop");
    }
    long grace = Optional.ofNullable(w.spec().getTerminationGracePeriodSeconds()).orElse(30L) * 1000;
    long needed = preStopMs + config.shutdown().drainDelayMs() + config.shutdown().graceMs() + MAIN_CLOSE_ALLOWANCE_MS;
    if (grace < needed) {
      problem(w.name() + ": terminationGracePeriodSeconds " + grace / 1000 + " s is less than preStop " + preStopMs
          + " ms + shutdown.drainDelayMs " + config.shutdown().drainDelayMs() + " + shutdown.graceMs "
          + config.shutdown().graceMs() + " + " + MAIN_CLOSE_ALLOWANCE_MS + " ms for closing = " + needed + " ms");
    }
  }

  private void cluster(Workload w, Container c, SurgeConfig config) {
    ClusterConfig cluster = config.cluster();
    if (!cluster.enabled() || !cluster.kubernetesDiscovery()) {
      problem(w.name() + ": cluster.enabled must be true with cluster.discovery=kubernetes (pods come and go)");
      return;
    }
    EnvVar host = Optional.ofNullable(c.getEnv()).orElse(List.of()).stream()
        .filter(v -> v.getName().equals(ConfigTree.envName("cluster.host"))).findFirst().orElse(null);
    if (host == null || host.getValueFrom() == null || host.getValueFrom().getFieldRef() == null
        || !"status.podIP".equals(host.getValueFrom().getFieldRef().getFieldPath())) {
      problem(w.name() + ": SURGE_CLUSTER_HOST must come from the downward API (status.podIP): members bind and announce it");
    }
    ClusterConfig.Kubernetes k = cluster.kubernetes();
    String serviceName;
    if (k.dnsMode()) {
      String[] parts = k.serviceDns().split("\\.", 3);
      if (parts.length != 3 || !(parts[2].equals("svc") || parts[2].equals("svc.cluster.local"))) {
        problem(w.name() + ": cluster.kubernetes.serviceDns " + k.serviceDns() + " is not <service>.<namespace>.svc.cluster.local");
        return;
      }
      if (!parts[1].equals(w.ns())) {
        problem(w.name() + ": cluster.kubernetes.serviceDns " + k.serviceDns() + " is not in the pods' namespace " + w.ns());
      }
      serviceName = parts[0];
      if (cluster.port() != HAZELCAST_DNS_PORT) {
        problem(w.name() + ": cluster.port is " + cluster.port() + " but DNS discovery dials " + HAZELCAST_DNS_PORT);
      }
    } else {
      serviceName = k.serviceName();
      if (!k.namespace().isEmpty() && !k.namespace().equals(w.ns())) {
        problem(w.name() + ": cluster.kubernetes.namespace " + k.namespace() + " is not the pods' namespace " + w.ns());
      }
      apiAccess(w);
    }
    Optional<Service> service = find(Service.class, w.ns(), serviceName);
    if (service.isEmpty()) {
      problem(w.name() + ": discovery names Service " + serviceName + ", which the overlay does not have");
      return;
    }
    Service s = service.get();
    if (!"None".equals(s.getSpec().getClusterIP())) problem(describe(s) + " used for discovery is not headless (clusterIP: None)");
    if (!Boolean.TRUE.equals(s.getSpec().getPublishNotReadyAddresses())) {
      problem(describe(s) + " used for discovery must publish not-ready addresses: a node is ready only after it joined");
    }
    Map<String, String> selector = Optional.ofNullable(s.getSpec().getSelector()).orElse(Map.of());
    if (selector.isEmpty() || !matches(selector, w.labels())) problem(describe(s) + " used for discovery does not select " + w.name());
    boolean hazelcast = s.getSpec().getPorts().stream()
        .anyMatch(p -> Objects.equals(resolve(c, p.getTargetPort() != null ? p.getTargetPort() : new IntOrString(p.getPort())), cluster.port()));
    if (!hazelcast) problem(describe(s) + " used for discovery has no port for cluster.port " + cluster.port());
  }

  /** API-mode discovery: a token, and a Role bound to the pod's service account that reads the endpoints. */
  private void apiAccess(Workload w) {
    String account = Optional.ofNullable(w.spec().getServiceAccountName()).orElse("default");
    Boolean automount = w.spec().getAutomountServiceAccountToken();
    if (automount == null) {
      automount = find(ServiceAccount.class, w.ns(), account).map(ServiceAccount::getAutomountServiceAccountToken).orElse(null);
    }
    if (Boolean.FALSE.equals(automount)) problem(w.name() + ": API discovery needs the service-account token, which is not mounted");
    boolean endpoints = false;
    boolean slices = false;
    boolean pods = false;
    for (RoleBinding b : all(RoleBinding.class)) {
      if (!namespace(b).equals(w.ns()) || b.getSubjects() == null) continue;
      boolean bound = b.getSubjects().stream().anyMatch(s -> "ServiceAccount".equals(s.getKind()) && account.equals(s.getName())
          && w.ns().equals(Optional.ofNullable(s.getNamespace()).orElse(namespace(b))));
      if (!bound || !"Role".equals(b.getRoleRef().getKind())) continue;
      Optional<Role> role = find(Role.class, w.ns(), b.getRoleRef().getName());
      for (PolicyRule r : role.map(Role::getRules).orElse(List.of())) {
        endpoints |= grants(r, "", "endpoints");
        slices |= grants(r, "discovery.k8s.io", "endpointslices");
        pods |= grants(r, "", "pods");
      }
    }
    if (!endpoints || !slices || !pods) {
      problem(w.name() + ": API discovery needs a Role bound to service account " + account + " in " + w.ns()
          + " that may get and list endpoints, endpointslices and pods");
    }
  }

  private static boolean grants(PolicyRule r, String group, String resource) {
    return r.getApiGroups().contains(group) && (r.getResources().contains(resource) || r.getResources().contains("*"))
        && (r.getVerbs().contains("*") || r.getVerbs().containsAll(List.of("get", "list")));
  }

  private void jvm(Workload w, Container c) {
    String options = Optional.ofNullable(c.getEnv()).orElse(List.of()).stream()
        .filter(v -> v.getName().equals("JAVA_TOOL_OPTIONS")).map(EnvVar::getValue).filter(Objects::nonNull).findFirst().orElse("");
    Matcher m = MAX_RAM.matcher(options);
    if (!m.find()) {
      problem(w.name() + ": JAVA_TOOL_OPTIONS has no -XX:MaxRAMPercentage: the heap would not follow the memory limit");
    } else if (Double.parseDouble(m.group(1)) <= 0 || Double.parseDouble(m.group(1)) > MAX_RAM_PERCENTAGE) {
      problem(w.name() + ": -XX:MaxRAMPercentage=" + m.group(1) + " leaves too little outside the heap (at most " + MAX_RAM_PERCENTAGE + ")");
    }
    if (options.contains("-Xmx") || options.contains("MaxHeapSize")) {
      problem(w.name() + ": JAVA_TOOL_OPTIONS fixes the heap (-Xmx/MaxHeapSize) instead of sizing it from the limit");
    }
    var resources = c.getResources();
    if (resources == null || resources.getLimits() == null || !resources.getLimits().containsKey("memory")) {
      problem(w.name() + ": no memory limit: the JVM would size itself from the node's memory");
    }
    if (resources == null || resources.getRequests() == null || !resources.getRequests().containsKey("cpu")
        || !resources.getRequests().containsKey("memory")) {
      problem(w.name() + ": no cpu and memory requests");
    }
  }

  private void security(Workload w, Container c) {
    var pod = w.spec().getSecurityContext();
    var own = c.getSecurityContext();
    Boolean nonRoot = own != null && own.getRunAsNonRoot() != null ? own.getRunAsNonRoot() : pod == null ? null : pod.getRunAsNonRoot();
    Long user = own != null && own.getRunAsUser() != null ? own.getRunAsUser() : pod == null ? null : pod.getRunAsUser();
    if (!Boolean.TRUE.equals(nonRoot)) problem(w.name() + ": runAsNonRoot is not true");
    if (user == null || user == 0) problem(w.name() + ": no non-root runAsUser");
    if (own == null || !Boolean.FALSE.equals(own.getAllowPrivilegeEscalation())) problem(w.name() + ": allowPrivilegeEscalation is not false");
    if (own == null || !Boolean.TRUE.equals(own.getReadOnlyRootFilesystem())) problem(w.name() + ": root filesystem is not read-only");
    if (own == null || own.getCapabilities() == null || own.getCapabilities().getDrop() == null
        || !own.getCapabilities().getDrop().contains("ALL")) {
      problem(w.name() + ": capabilities are not all dropped");
    }
    if (own != null && Boolean.TRUE.equals(own.getPrivileged())) problem(w.name() + ": privileged");
  }

  // --- HPA, PDB ---------------------------------------------------------------------------------------------------

  private void autoscaling(Workload w) {
    List<HorizontalPodAutoscaler> hpas = all(HorizontalPodAutoscaler.class).stream()
        .filter(h -> namespace(h).equals(w.ns()) && w.owner().getKind().equals(h.getSpec().getScaleTargetRef().getKind())
            && w.owner().getMetadata().getName().equals(h.getSpec().getScaleTargetRef().getName())
            && "apps/v1".equals(h.getSpec().getScaleTargetRef().getApiVersion()))
        .toList();
    int min = 1;
    if (hpas.size() != 1) {
      problem(w.name() + ": expected one HorizontalPodAutoscaler scaling it, found " + hpas.size());
    } else {
      var spec = hpas.get(0).getSpec();
      min = Optional.ofNullable(spec.getMinReplicas()).orElse(1);
      if (min < 1 || min > spec.getMaxReplicas()) problem(describe(hpas.get(0)) + ": minReplicas " + min + " vs maxReplicas " + spec.getMaxReplicas());
      if (spec.getMetrics() == null || spec.getMetrics().isEmpty()) problem(describe(hpas.get(0)) + " has no metrics");
      if (w.owner() instanceof Deployment d && d.getSpec().getReplicas() != null) {
        problem(w.name() + " sets replicas although an HPA owns the count (every apply would reset it)");
      }
    }
    List<PodDisruptionBudget> pdbs = all(PodDisruptionBudget.class).stream()
        .filter(p -> namespace(p).equals(w.ns()) && selects(p.getSpec().getSelector(), w.labels())).toList();
    if (pdbs.size() != 1) {
      problem(w.name() + ": expected one PodDisruptionBudget selecting it, found " + pdbs.size());
      return;
    }
    var spec = pdbs.get(0).getSpec();
    if (spec.getMaxUnavailable() == null && spec.getMinAvailable() == null) problem(describe(pdbs.get(0)) + " limits nothing");
    if (spec.getMinAvailable() != null && spec.getMinAvailable().getIntVal() != null && spec.getMinAvailable().getIntVal() >= min) {
      problem(describe(pdbs.get(0)) + ": minAvailable " + spec.getMinAvailable().getIntVal() + " >= minReplicas " + min
          + ": a drain could never evict a pod");
    }
  }

  // --- NetworkPolicy ----------------------------------------------------------------------------------------------

  /**
   * Ingress to Surge pods: the API port from anywhere; Hazelcast and the event bus (a port the kernel picks from the
   * pod's net.ipv4.ip_local_port_range: Vert.x listens on port 0, {@code surge.cluster.Cluster#vertx}) from members
   * only; the management port from named peers; nothing else.
   */
  private void networkPolicy(Workload w, Container c, SurgeConfig config) {
    List<NetworkPolicy> policies = selectedPolicies(w);
    if (policies.stream().noneMatch(p -> p.getSpec().getPolicyTypes().contains("Ingress"))) {
      problem(w.name() + ": no NetworkPolicy restricts ingress to it");
      return;
    }
    int http = config.http().port();
    int management = config.management().port();
    int hazelcast = config.cluster().port();
    int[] ephemeral = ephemeralRange(w);
    boolean httpOpen = false;
    boolean managementOpen = false;
    boolean hazelcastOpen = false;
    boolean busOpen = false;
    for (NetworkPolicy p : policies) {
      for (NetworkPolicyIngressRule rule : Optional.ofNullable(p.getSpec().getIngress()).orElse(List.of())) {
        List<NetworkPolicyPeer> from = Optional.ofNullable(rule.getFrom()).orElse(List.of());
        if (rule.getPorts() == null || rule.getPorts().isEmpty()) {
          problem(describe(p) + ": a rule without ports lets " + (from.isEmpty() ? "anyone" : "its peers") + " reach every port");
          continue;
        }
        boolean members = !from.isEmpty() && from.stream().allMatch(peer -> peer.getIpBlock() == null
            && peer.getNamespaceSelector() == null && peer.getPodSelector() != null && selects(peer.getPodSelector(), w.labels()));
        for (NetworkPolicyPort port : rule.getPorts()) {
          Integer first = port.getPort() == null ? null : resolve(c, port.getPort());
          if (first == null) {
            problem(describe(p) + ": a rule opens " + (port.getPort() == null ? "every port" : "unknown port " + show(port.getPort())));
            continue;
          }
          int last = port.getEndPort() != null ? port.getEndPort() : first;
          if (first == http && last == http) {
            httpOpen = true; // from anyone, or from chosen peers (an ingress controller, say)
          } else if (first == management && last == management) {
            if (from.isEmpty()) problem(describe(p) + ": the management port is open to anyone");
            managementOpen = true;
          } else if (first == hazelcast && last == hazelcast) {
            if (!members) problem(describe(p) + ": the Hazelcast port is open to others than the members");
            hazelcastOpen |= members;
          } else if (port.getEndPort() != null) {
            if (!members) problem(describe(p) + ": ports " + first + "-" + last + " are open to others than the members");
            busOpen |= members && ephemeral != null && first <= ephemeral[0] && last >= ephemeral[1];
          } else {
            problem(describe(p) + ": port " + first + " is open, which is none of Surge's");
          }
        }
      }
    }
    if (!httpOpen) problem(w.name() + ": no NetworkPolicy rule lets clients reach the API port");
    if (!managementOpen) problem(w.name() + ": no NetworkPolicy rule lets Prometheus reach the management port");
    if (!hazelcastOpen) problem(w.name() + ": no NetworkPolicy rule lets members reach each other's Hazelcast port");
    if (ephemeral == null) {
      problem(w.name() + ": net.ipv4.ip_local_port_range is not pinned: the event bus port range is unknown");
    } else if (!busOpen) {
      problem(w.name() + ": no NetworkPolicy rule lets members reach the event bus (ports " + ephemeral[0] + "-" + ephemeral[1] + ")");
    }
  }

  private static int[] ephemeralRange(Workload w) {
    var sc = w.spec().getSecurityContext();
    if (sc == null || sc.getSysctls() == null) return null;
    return sc.getSysctls().stream().filter(s -> s.getName().equals("net.ipv4.ip_local_port_range"))
        .map(s -> s.getValue().trim().split("\\s+")).filter(a -> a.length == 2)
        .map(a -> new int[] {Integer.parseInt(a[0]), Integer.parseInt(a[1])}).findFirst().orElse(null);
  }

  private List<NetworkPolicy> selectedPolicies(Workload w) {
    return all(NetworkPolicy.class).stream()
        .filter(p -> namespace(p).equals(w.ns()) && selects(p.getSpec().getPodSelector(), w.labels())).toList();
  }

  private List<Workload> selectedBy(NetworkPolicy p, List<Workload> workloads) {
    return workloads.stream().filter(w -> namespace(p).equals(w.ns()) && selects(p.getSpec().getPodSelector(), w.labels())).toList();
  }

  // --- helpers ----------------------------------------------------------------------------------------------------

  private List<Workload> workloads() {
    List<Workload> out = new ArrayList<>();
    for (HasMetadata o : objects) {
      if (o instanceof Deployment d) {
        out.add(new Workload(d, d.getSpec().getTemplate()));
        if (!selects(d.getSpec().getSelector(), new Workload(d, d.getSpec().getTemplate()).labels())) {
          problem(describe(d) + ": its selector does not match its pod template");
        }
      } else if (o instanceof StatefulSet s) {
        out.add(new Workload(s, s.getSpec().getTemplate()));
      }
    }
    return out;
  }

  /** matchLabels only: the manifests use no matchExpressions, and a checker that ignored them would pass too much. */
  private boolean selects(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) return false;
    if (selector.getMatchExpressions() != null && !selector.getMatchExpressions().isEmpty()) {
      problem("a label selector uses matchExpressions, which this checker does not read");
      return false;
    }
    return matches(Optional.ofNullable(selector.getMatchLabels()).orElse(Map.of()), labels);
  }

  private static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  private <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private <T extends HasMetadata> Optional<T> find(Class<T> type, String ns, String name) {
    return all(type).stream().filter(o -> namespace(o).equals(ns) && o.getMetadata().getName().equals(name)).findFirst();
  }

  private static String namespace(HasMetadata o) {
    return Optional.ofNullable(o.getMetadata().getNamespace()).orElse("");
  }

  private static String describe(HasMetadata o) {
    return o.getKind() + " " + o.getMetadata().getName();
  }

  private void problem(String text) {
    if (!problems.contains(text)) problems.add(text);
  }
}
