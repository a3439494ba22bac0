package surge.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Kubernetes manifests of k8s/, checked without a cluster: every overlay renders with {@code kubectl kustomize}
 * (offline), every rendered object parses strictly into fabric8's typed model ({@link StrictManifests}), and the
 * result fits Surge ({@link ManifestChecks}). Each check is also shown to fail on a deliberately broken input.
 */
class KubernetesManifestsIT {
  private static final Path ROOT = Path.of("").toAbsolutePath();
  private static final Path K8S = ROOT.resolve("k8s");
  /** The dev overlay with API-mode discovery, composed as an overlay would list the component. */
  private static final String API_MODE = "dev+hazelcast-api-discovery";

  private static String defaults;
  private static final Map<String, String> rendered = new HashMap<>();

  @BeforeAll
  static void render() throws IOException {
    defaults = Files.readString(ROOT.resolve("conf/surge.json"), StandardCharsets.UTF_8);
    for (String overlay : overlays()) rendered.put(overlay, kustomize(K8S.resolve("overlays").resolve(overlay)));
    Path apiMode = ROOT.resolve("target/k8s-api-discovery");
    Files.createDirectories(apiMode);
    Files.writeString(apiMode.resolve("kustomization.yaml"), String.join("\n",
        "apiVersion: kustomize.config.k8s.io/v1beta1",
        "kind: Kustomization",
        "namespace: surge-dev",
        "resources:",
        "  - " + apiMode.relativize(K8S.resolve("overlays/dev")),
        "components:",
        "  - " + apiMode.relativize(K8S.resolve("components/hazelcast-api-discovery")),
        ""));
    rendered.put(API_MODE, kustomize(apiMode));
  }

  /** Every folder of k8s/overlays: a new overlay is checked without touching this test. */
  static List<String> overlays() throws IOException {
    try (Stream<Path> dirs = Files.list(K8S.resolve("overlays"))) {
      return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  static List<String> renders() throws IOException {
    List<String> all = new ArrayList<>(overlays());
    all.add(API_MODE);
    return all;
  }

  // --- the manifests as they are ----------------------------------------------------------------------------------

  @Test
  void theTwoOverlaysExist() throws IOException {
    assertTrue(overlays().containsAll(List.of("dev", "prod")), "k8s/overlays: " + overlays());
  }

  @ParameterizedTest
  @MethodSource("renders")
  void renderedOverlayParsesStrictlyAndFitsSurge(String name) {
    List<HasMetadata> objects = StrictManifests.parse(rendered.get(name));
    assertFalse(objects.isEmpty(), name + " renders nothing");
    assertEquals(List.of(), ManifestChecks.check(objects, templates(), defaults), name);
  }

  @Test
  void baseRendersAndParsesStrictly() {
    List<HasMetadata> objects = StrictManifests.parse(kustomize(K8S.resolve("base")));
    assertTrue(objects.stream().noneMatch(o -> o instanceof Secret), "the base must not apply a Secret");
  }

  @Test
  void baseConfigIsConfSurgeJson() throws IOException {
    assertEquals(defaults, Files.readString(K8S.resolve("base/surge.json"), StandardCharsets.UTF_8),
        "k8s/base/surge.json must be a copy of conf/surge.json: cp conf/surge.json k8s/base/surge.json");
  }

  @Test
  void devRunsItsOwnServicesFromOfficialImages() {
    List<HasMetadata> dev = StrictManifests.parse(rendered.get("dev"));
    Set<String> images = dev.stream().filter(o -> o instanceof Deployment).map(o -> (Deployment) o)
        .flatMap(d -> d.getSpec().getTemplate().getSpec().getContainers().stream()).map(Container::getImage)
        .collect(Collectors.toSet());
    assertTrue(images.contains("postgres:15") && images.contains("redis:7")
        && images.stream().anyMatch(i -> i.startsWith("apache/kafka:")), images.toString());
    Map<String, String> env = env(dev);
    assertEquals("postgres", env.get("SURGE_DB_HOST"));
    assertEquals("redis", env.get("SURGE_REDIS_HOST"));
    assertEquals("kafka:9092", env.get("SURGE_KAFKA_BOOTSTRAP"));
  }

  @Test
  void prodUsesManagedServicesAndTheProdProfile() {
    List<HasMetadata> prod = StrictManifests.parse(rendered.get("prod"));
    assertTrue(prod.stream().noneMatch(o -> o instanceof Secret), "prod must not carry a Secret (template only)");
    assertEquals(List.of("surge"), prod.stream().filter(o -> o instanceof Deployment).map(o -> o.getMetadata().getName()).toList());
    ConfigMap endpoints = prod.stream().filter(o -> o instanceof ConfigMap && o.getMetadata().getName().startsWith("surge-endpoints"))
        .map(o -> (ConfigMap) o).findFirst().orElseThrow();
    assertEquals("prod", endpoints.getData().get("SURGE_PROFILE"));
    assertTrue(endpoints.getData().get("SURGE_DB_SHARDS").contains(".invalid"), "hosts are placeholders");
    assertTrue(container(prod).getEnvFrom().stream().anyMatch(f -> f.getConfigMapRef() != null
        && f.getConfigMapRef().getName().equals(endpoints.getMetadata().getName())));
    HorizontalPodAutoscaler hpa = one(prod, HorizontalPodAutoscaler.class, "surge");
    int devMin = one(StrictManifests.parse(rendered.get("dev")), HorizontalPodAutoscaler.class, "surge").getSpec().getMinReplicas();
    assertTrue(hpa.getSpec().getMinReplicas() >= 3 && hpa.getSpec().getMinReplicas() > devMin, "prod runs more replicas");
  }

  /** The probe routes the checker accepts are the ones surge.server.Health really mounts. */
  @Test
  void healthMountsTheProbeRoutes() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Router router = Router.router(vertx);
      Class<?> health = Class.forName("surge.server.Health");
      Constructor<?> constructor = health.getDeclaredConstructors()[0];
      constructor.setAccessible(true);
      // Health only keeps its collaborators for the handlers; mounting does not touch them.
      Object instance = constructor.newInstance(new Object[constructor.getParameterCount()]);
      Method mount = health.getDeclaredMethod("mount", Router.class);
      mount.setAccessible(true);
      mount.invoke(instance, router);
      Set<String> paths = router.getRoutes().stream().map(Route::getPath).filter(Objects::nonNull).collect(Collectors.toSet());
      assertTrue(paths.containsAll(ManifestChecks.PROBE_ROUTES), "Health mounts " + paths);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  // --- the strict reader ------------------------------------------------------------------------------------------

  private static final String SERVICE = """
      apiVersion: v1
      kind: Service
      metadata:
        name: s
      spec:
        selector:
          app: s
        ports:
          - name: http
            port: 8080
            targetPort: http
      """;

  @Test
  void aValidManifestParses() {
    Service s = (Service) StrictManifests.parse(SERVICE).get(0);
    assertEquals(8080, s.getSpec().getPorts().get(0).getPort());
  }

  /** The trap: fail-on-unknown alone does nothing, fabric8's @JsonAnySetter takes every unknown field. */
  @Test
  void plainJacksonSwallowsAMisspelledField() throws IOException {
    String misspelled = SERVICE.replace("targetPort:", "tragetPort:");
    YAMLMapper plain = YAMLMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    Service s = plain.readValue(misspelled, Service.class);
    assertEquals(Set.of("tragetPort"), s.getSpec().getPorts().get(0).getAdditionalProperties().keySet());
    assertFalse(StrictManifests.leftovers(s).isEmpty(), "the leftover walk finds it too");
  }

  /** Each case: what to replace | with what | a piece of the reason the reader must give. */
  @ParameterizedTest
  @ValueSource(strings = {
      "targetPort:|tragetPort:|Unrecognized field \"tragetPort\"",        // misspelled field
      "selector:|selectors:|Unrecognized field \"selectors\"",            // misspelled field one level up
      "port: 8080|port: \"8080\"|Cannot coerce String",                  // a quoted number where an integer belongs
      "name: http|name: 80|Cannot coerce Integer",                         // a bare number where a string belongs
      "app: s|app: true|Cannot coerce Boolean",                            // a boolean where a string belongs
      "name: s|name: s\n  name: t|Duplicate field",                        // duplicated key
      "kind: Service|kind: Servize|kind/apiVersion not among",             // unknown kind
      "apiVersion: v1|apiVersion: v2|kind/apiVersion not among",           // unknown version
      "spec:|additionalProperties:\n  x: 1\nspec:|.additionalProperties", // the model's own catch-all, spelled out
  })
  void theStrictReaderRejects(String change) {
    String[] parts = change.split("\\|", 3);
    String broken = SERVICE.replaceFirst(java.util.regex.Pattern.quote(parts[0]), java.util.regex.Matcher.quoteReplacement(parts[1]));
    assertFalse(broken.equals(SERVICE));
    var e = assertThrows(StrictManifests.InvalidManifest.class, () -> StrictManifests.parse(broken), broken);
    assertTrue(e.getMessage().contains(parts[2]), e.getMessage());
  }

  @Test
  void theStrictReaderRejectsAMisspelledFieldInARenderedDeployment() {
    String broken = rendered.get("prod").replace("terminationGracePeriodSeconds:", "terminationGracePeriodSecond:");
    var e = assertThrows(StrictManifests.InvalidManifest.class, () -> StrictManifests.parse(broken));
    assertTrue(e.getMessage().contains("terminationGracePeriodSecond"), e.getMessage());
  }

  // --- every check fails on a broken input ------------------------------------------------------------------------

  /** One deliberate mistake, and the text the checker must report for it. */
  record Breakage(String name, String overlay, BiConsumer<List<HasMetadata>, List<Secret>> change, String expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Breakage> breakages() {
    return Stream.of(
        // environment and config file
        b("unknown SURGE_ variable", "dev", (o, t) -> setEnv(o, "SURGE_DB_POOLSIZE", "8"), "SURGE_DB_POOLSIZE is not a Surge config key"),
        b("unknown SURGE_ variable through envFrom", "prod",
            (o, t) -> configMap(o, "surge-endpoints").getData().put("SURGE_REDIS_HOSTNAME", "x"), "SURGE_REDIS_HOSTNAME is not a Surge config key"),
        b("variable both in env and envFrom", "prod", (o, t) -> setEnv(o, "SURGE_REDIS_HOST", "r"), "and from env (env wins"),
        b("$(VAR) used before it is set", "dev", (o, t) -> {
          List<EnvVar> env = container(o).getEnv();
          EnvVar ns = env.stream().filter(v -> v.getName().equals("POD_NAMESPACE")).findFirst().orElseThrow();
          env.remove(ns);
          env.add(ns);
        }, "refers to $(POD_NAMESPACE), which is not set before it"),
        b("config ConfigMap is not conf/surge.json", "dev", (o, t) -> configMap(o, "surge-config").getData()
            .put("surge.json", defaults.replace("\"graceMs\": 20000", "\"graceMs\": 1000")), "is not conf/surge.json"),
        b("SURGE_CONFIG not on the mount", "dev", (o, t) -> setEnv(o, "SURGE_CONFIG", "/etc/other/surge.json"), "is not in any volume mount"),
        b("SURGE_CONFIG unset", "dev", (o, t) -> removeEnv(o, "SURGE_CONFIG"), "SURGE_CONFIG is not set"),
        b("a value Surge refuses", "dev", (o, t) -> setEnv(o, "SURGE_CLUSTER_DISCOVERY", "multicast"), "Surge would not start"),
        b("a missing Secret key", "dev", (o, t) -> env(o, "SURGE_AUTH_JWT_SECRET").getValueFrom().getSecretKeyRef().setKey("jwt"),
            "needs key jwt of Secret"),
        b("a missing Secret, prod", "prod", (o, t) -> t.clear(), "needs key jwtSecret of Secret surge-secrets"),
        b("a Secret template with a value", "prod", (o, t) -> t.get(0).getStringData().put("jwtSecret", "hunter2"),
            "has a value for jwtSecret"),
        b("an object without namespace", "prod", (o, t) -> one(o, Service.class, "surge").getMetadata().setNamespace(null),
            "Service surge has no namespace"),
        // ports and probes
        b("probe on a path Surge lacks", "dev", (o, t) -> container(o).getLivenessProbe().getHttpGet().setPath("/healthz"),
            "/healthz is not one of Surge's probe routes"),
        b("liveness on readiness", "dev", (o, t) -> container(o).getLivenessProbe().getHttpGet().setPath("/health/ready"),
            "livenessProbe must use /health/live"),
        b("probe on the management port", "dev", (o, t) -> container(o).getReadinessProbe().getHttpGet().setPort(new IntOrString("management")),
            "is not the API port"),
        b("probe on a port name no container has", "dev", (o, t) -> container(o).getStartupProbe().getHttpGet().setPort(new IntOrString("htp")),
            "which no container port is named"),
        b("probe missing", "prod", (o, t) -> container(o).setReadinessProbe(null), "readinessProbe is missing"),
        b("container port is not http.port", "dev", (o, t) -> setEnv(o, "SURGE_HTTP_PORT", "8081"),
            "container port http is 8080 but http.port is 8081"),
        b("scrape annotation off the management port", "prod", (o, t) -> setEnv(o, "SURGE_MANAGEMENT_PORT", "9465"),
            "annotation prometheus.io/port 9464 is not management.port 9465"),
        b("unknown SURGE_ variable in another workload", "dev",
            (o, t) -> one(o, Deployment.class, "redis").getSpec().getTemplate().getSpec().getContainers().get(0)
                .setEnv(new ArrayList<>(List.of(new EnvVarBuilder().withName("SURGE_REDIS_MODE").withValue("x").build()))),
            "SURGE_REDIS_MODE is not a Surge config key"),
        b("management bound to loopback", "prod", (o, t) -> removeEnv(o, "SURGE_MANAGEMENT_HOST"), "Prometheus cannot scrape"),
        b("Service targets a port name no container has", "prod",
            (o, t) -> one(o, Service.class, "surge").getSpec().getPorts().get(0).setTargetPort(new IntOrString("web")),
            "target web is no container port"),
        b("Service selects nothing", "dev", (o, t) -> one(o, Service.class, "redis").getSpec().setSelector(Map.of("app", "x")),
            "Service redis selects no pods"),
        // discovery
        b("discovery names a Service that does not exist", "prod",
            (o, t) -> setEnv(o, "SURGE_CLUSTER_KUBERNETES_SERVICE_DNS", "surge-hz.$(POD_NAMESPACE).svc.cluster.local"),
            "names Service surge-hz, which the overlay does not have"),
        b("discovery through a Service that is not headless", "prod",
            (o, t) -> setEnv(o, "SURGE_CLUSTER_KUBERNETES_SERVICE_DNS", "surge.$(POD_NAMESPACE).svc.cluster.local"), "is not headless"),
        b("discovery in another namespace", "prod",
            (o, t) -> setEnv(o, "SURGE_CLUSTER_KUBERNETES_SERVICE_DNS", "surge-hazelcast.elsewhere.svc.cluster.local"),
            "is not in the pods' namespace"),
        b("discovery Service hides starting pods", "prod",
            (o, t) -> one(o, Service.class, "surge-hazelcast").getSpec().setPublishNotReadyAddresses(false), "must publish not-ready addresses"),
        b("DNS discovery off port 5701", "prod", (o, t) -> {
          setEnv(o, "SURGE_CLUSTER_PORT", "5702");
          container(o).getPorts().stream().filter(p -> p.getName().equals("hazelcast")).forEach(p -> p.setContainerPort(5702));
        }, "DNS discovery dials 5701"),
        b("cluster host not the pod's address", "prod", (o, t) -> setEnv(o, "SURGE_CLUSTER_HOST", "127.0.0.1"), "downward API"),
        b("clustering off", "prod", (o, t) -> setEnv(o, "SURGE_CLUSTER_ENABLED", "false"), "cluster.enabled must be true"),
        b("API discovery without RBAC", API_MODE, (o, t) -> o.removeIf(x -> x instanceof RoleBinding), "API discovery needs a Role"),
        b("API discovery without a token", API_MODE, (o, t) -> pod(o).setAutomountServiceAccountToken(false), "token, which is not mounted"),
        // shutdown
        b("grace period too short", "prod", (o, t) -> pod(o).setTerminationGracePeriodSeconds(30L), "terminationGracePeriodSeconds 30 s is less than"),
        b("graceMs raised past the grace period", "prod", (o, t) -> setEnv(o, "SURGE_SHUTDOWN_GRACE_MS", "40000"),
            "shutdown.graceMs 40000"),
        b("no preStop", "dev", (o, t) -> container(o).setLifecycle(null), "no preStop sleep"),
        // JVM, security
        b("heap not sized from the limit", "prod", (o, t) -> setEnv(o, "JAVA_TOOL_OPTIONS", "-XX:+ExitOnOutOfMemoryError"),
            "no -XX:MaxRAMPercentage"),
        b("heap share too large", "prod", (o, t) -> setEnv(o, "JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=95"), "leaves too little"),
        b("fixed heap", "prod", (o, t) -> setEnv(o, "JAVA_TOOL_OPTIONS", env(o, "JAVA_TOOL_OPTIONS").getValue() + " -Xmx512m"), "fixes the heap"),
        b("no memory limit", "prod", (o, t) -> container(o).getResources().getLimits().remove("memory"), "no memory limit"),
        b("may run as root", "prod", (o, t) -> pod(o).getSecurityContext().setRunAsNonRoot(false), "runAsNonRoot is not true"),
        b("writable root filesystem", "prod", (o, t) -> container(o).getSecurityContext().setReadOnlyRootFilesystem(false), "not read-only"),
        b("service links on", "prod", (o, t) -> pod(o).setEnableServiceLinks(null), "enableServiceLinks must be false"),
        // HPA, PDB
        b("HPA scales another Deployment", "prod",
            (o, t) -> one(o, HorizontalPodAutoscaler.class, "surge").getSpec().getScaleTargetRef().setName("surge-old"),
            "expected one HorizontalPodAutoscaler"),
        b("replicas next to an HPA", "prod", (o, t) -> one(o, Deployment.class, "surge").getSpec().setReplicas(3), "sets replicas"),
        b("PDB that blocks drains", "prod", (o, t) -> {
          var spec = one(o, PodDisruptionBudget.class, "surge").getSpec();
          spec.setMaxUnavailable(null);
          spec.setMinAvailable(new IntOrString(3));
        }, "a drain could never evict"),
        b("no PDB", "prod", (o, t) -> o.removeIf(x -> x instanceof PodDisruptionBudget), "expected one PodDisruptionBudget"),
        // NetworkPolicy
        b("policy names a port no container has", "prod", (o, t) -> rule(o, 0).getPorts().get(0).setPort(new IntOrString("api")),
            "port api is no container port"),
        b("management open to anyone", "prod", (o, t) -> rule(o, 2).setFrom(List.of()), "management port is open to anyone"),
        b("Hazelcast open to anyone", "prod", (o, t) -> rule(o, 1).setFrom(List.of()), "Hazelcast port is open to others"),
        b("a rule without ports", "prod", (o, t) -> rule(o, 1).setPorts(List.of()), "a rule without ports"),
        b("another port open", "prod", (o, t) -> rule(o, 0).getPorts().add(tcp(5432)), "port 5432 is open, which is none of Surge's"),
        b("event bus range too narrow", "prod", (o, t) -> rule(o, 1).getPorts().get(1).setEndPort(50000), "reach the event bus"),
        b("event bus range not pinned", "prod", (o, t) -> pod(o).getSecurityContext().setSysctls(List.of()), "is not pinned"),
        b("API port closed", "prod", (o, t) -> rule(o, 0).setPorts(List.of(tcp(9464))), "lets clients reach the API port"),
        b("no policy", "prod", (o, t) -> o.removeIf(x -> x instanceof NetworkPolicy), "no NetworkPolicy restricts ingress"));
  }

  @ParameterizedTest
  @MethodSource("breakages")
  void theCheckerCatches(Breakage breakage) {
    List<HasMetadata> objects = StrictManifests.parse(rendered.get(breakage.overlay()));
    List<Secret> templates = templates();
    assertEquals(List.of(), ManifestChecks.check(objects, templates, defaults), "unbroken " + breakage.overlay());
    breakage.change().accept(objects, templates);
    List<String> problems = ManifestChecks.check(objects, templates, defaults);
    assertTrue(problems.stream().anyMatch(p -> p.contains(breakage.expected())),
        "expected a problem containing '" + breakage.expected() + "', got " + problems);
  }

  /** A preStop that runs sleep (for clusters without the sleep action) counts the same. */
  @Test
  void anExecSleepPreStopCounts() {
    List<HasMetadata> objects = StrictManifests.parse(rendered.get("prod"));
    var preStop = container(objects).getLifecycle().getPreStop();
    preStop.setSleep(null);
    preStop.setExec(new io.fabric8.kubernetes.api.model.ExecAction(new ArrayList<>(List.of("sleep", "5"))));
    assertEquals(List.of(), ManifestChecks.check(objects, templates(), defaults));
    preStop.getExec().setCommand(new ArrayList<>(List.of("sleep", "20")));
    List<String> problems = ManifestChecks.check(objects, templates(), defaults);
    assertTrue(problems.stream().anyMatch(p -> p.contains("less than preStop 20000 ms")), problems.toString());
  }

  // --- helpers ----------------------------------------------------------------------------------------------------

  private static Breakage b(String name, String overlay, BiConsumer<List<HasMetadata>, List<Secret>> change, String expected) {
    return new Breakage(name, overlay, change, expected);
  }

  /** The Secret templates kept outside every kustomization, parsed as strictly as the rest. */
  private static List<Secret> templates() {
    try {
      return StrictManifests.parse(Files.readString(K8S.resolve("base/secret.template.yaml"), StandardCharsets.UTF_8)).stream()
          .map(Secret.class::cast).collect(Collectors.toCollection(ArrayList::new));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code kubectl kustomize dir} (KUBECTL names another binary); nothing in it may need the network. */
  private static String kustomize(Path dir) {
    String kubectl = System.getenv().getOrDefault("KUBECTL", "kubectl");
    try {
      Path err = Files.createTempFile("kustomize", ".err");
      try {
        Process p = new ProcessBuilder(kubectl, "kustomize", ROOT.relativize(dir).toString())
            .directory(ROOT.toFile()).redirectError(err.toFile()).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          fail("kubectl kustomize " + dir + " did not finish in 60 s");
        }
        if (p.exitValue() != 0) fail("kubectl kustomize " + ROOT.relativize(dir) + " failed:\n" + Files.readString(err));
        return new String(out, StandardCharsets.UTF_8);
      } finally {
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      return fail("cannot run '" + kubectl + " kustomize' (kubectl is needed to render k8s/; set KUBECTL to use another): " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail(e);
    }
  }

  private static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type, String name) {
    return objects.stream().filter(type::isInstance).map(type::cast).filter(o -> o.getMetadata().getName().equals(name))
        .findFirst().orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
  }

  /** A generated ConfigMap, by the name before kustomize's hash suffix. */
  private static ConfigMap configMap(List<HasMetadata> objects, String name) {
    return objects.stream().filter(o -> o instanceof ConfigMap && o.getMetadata().getName().startsWith(name + "-"))
        .map(ConfigMap.class::cast).findFirst().orElseThrow();
  }

  private static PodSpec pod(List<HasMetadata> objects) {
    return one(objects, Deployment.class, "surge").getSpec().getTemplate().getSpec();
  }

  private static Container container(List<HasMetadata> objects) {
    return pod(objects).getContainers().stream().filter(c -> c.getName().equals("surge")).findFirst().orElseThrow();
  }

  private static EnvVar env(List<HasMetadata> objects, String name) {
    return container(objects).getEnv().stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow();
  }

  /** The literal env values of the Surge container. */
  private static Map<String, String> env(List<HasMetadata> objects) {
    Map<String, String> out = new HashMap<>();
    for (EnvVar v : container(objects).getEnv()) if (v.getValue() != null) out.put(v.getName(), v.getValue());
    return out;
  }

  private static void setEnv(List<HasMetadata> objects, String name, String value) {
    List<EnvVar> env = container(objects).getEnv();
    env.removeIf(v -> v.getName().equals(name));
    env.add(new EnvVarBuilder().withName(name).withValue(value).build());
  }

  private static void removeEnv(List<HasMetadata> objects, String name) {
    assertTrue(container(objects).getEnv().removeIf(v -> v.getName().equals(name)), name);
  }

  private static NetworkPolicyIngressRule rule(List<HasMetadata> objects, int index) {
    return one(objects, NetworkPolicy.class, "surge").getSpec().getIngress().get(index);
  }

  private static NetworkPolicyPort tcp(int port) {
    NetworkPolicyPort p = new NetworkPolicyPort();
    p.setPort(new IntOrString(port));
    p.setProtocol("TCP");
    return p;
  }
}
