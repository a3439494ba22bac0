package surge.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import surge.config.ConfigTree;
import surge.support.Client;
import surge.support.Eventually;
import surge.support.Ports;
import surge.support.TestNode;

/**
 * The container image and the compose deployment (system tier).
 *
 * <p>The image is built for real by {@code docker/build-image} (Podman; on first use it installs Podman and makes the
 * base images from Debian packages, about two minutes, then it is cached) and one container runs with host networking
 * against the local stack, configured like {@link TestNode}'s nodes: it must serve the API as a non-root user with java
 * as PID 1, report healthy through the image's own HEALTHCHECK, size its heap from the container's memory limit, and on
 * SIGTERM drain (readiness 503) and exit within the drain delay plus the grace period.
 *
 * <p>{@code docker/compose.yaml} is checked without starting anything: {@code docker-compose config} must accept it,
 * every {@code SURGE_*} variable it sets must be a Surge config key, the cluster, HAProxy and Prometheus must name the
 * same nodes, and {@code haproxy -c} and {@code promtool check config} must accept their files.
 */
@Tag("system")
class ContainerImageIT {
  /** What docker/build-image tags (it reads SURGE_IMAGE too). */
  private static final String IMAGE = System.getenv().getOrDefault("SURGE_IMAGE", "localhost/surge:latest");
  private static final Path DEFAULTS = Path.of("conf/surge.json");
  private static final Path COMPOSE = Path.of("docker/compose.yaml");
  /** The container's memory limit; the heap must follow it (-XX:MaxRAMPercentage=75 in the image). */
  private static final long MEMORY_LIMIT = 768L << 20;
  /** What the runc/Podman setup of these machines needs (see design.md §9 and docker/build-image). */
  private static final List<String> PODMAN = List.of("podman", "--runtime", "runc");
  private static final List<String> LIMITS = List.of("--ulimit", "nofile=20000:20000", "--ulimit", "nproc=4096:4096");

  private static Vertx vertx;
  private static JsonObject defaults;

  @BeforeAll
  static void setUp() throws IOException {
    vertx = Vertx.vertx();
    defaults = new JsonObject(Files.readString(DEFAULTS));
  }

  @AfterAll
  static void tearDown() {
    vertx.close().await();
  }

  // ---------------------------------------------------------------------------------------------
  // The image, run for real
  // ---------------------------------------------------------------------------------------------

  @Test
  void imageServesTheApiAsNonRootAndDrainsOnSigterm() throws Exception {
    Result build = run(Duration.ofMinutes(10), List.of("docker/build-image"));
    Files.writeString(Path.of("target", "container-image-build.log"), build.output());
    assertEquals(0, build.exitCode(), "docker/build-image failed:\n" + tail(build.output(), 40));

    // Host networking, and the image's HEALTHCHECK reads the port from the environment: both are named in advance.
    int port = Ports.free();
    int managementPort = Ports.free();
    try (Container container = Container.start(IMAGE, port, managementPort)) {
      Client client = new Client(vertx, port);
      container.awaitReady(client, Duration.ofSeconds(120));

      JsonObject user = client.register("image");
      HttpResponse<Buffer> me = client.get("/api/user", user.getString("token"));
      assertEquals(200, me.statusCode(), "GET /api/user: " + me.bodyAsString());
      assertEquals(user.getString("username"), me.bodyAsJsonObject().getJsonObject("user").getString("username"));

      String uid = container.exec("id", "-u").strip();
      assertNotEquals("0", uid, "the server runs as root");
      assertEquals("java", container.exec("cat", "/proc/1/comm").strip(), "PID 1 is not java: SIGTERM would not reach the JVM");
      assertEquals(0, container.podman("healthcheck", "run", container.name()).exitCode(), "the image's HEALTHCHECK fails on a ready node");

      long heap = heapMaxBytes(new Client(vertx, managementPort).get("/metrics").bodyAsString());
      double share = (double) heap / MEMORY_LIMIT;
      assertTrue(share > 0.6 && share < 0.85, "heap max " + (heap >> 20) + " MiB is not ~75% of the container's "
          + (MEMORY_LIMIT >> 20) + " MiB (sized from the host instead?)");

      long drainDelayMs = defaults.getJsonObject("shutdown").getLong("drainDelayMs");
      long graceMs = defaults.getJsonObject("shutdown").getLong("graceMs");
      long signalled = System.nanoTime();
      assertEquals(0, container.podman("kill", "--signal", "TERM", container.name()).exitCode(), "podman kill failed");
      Eventually.until("/health/ready answers 503 while draining", Duration.ofMillis(drainDelayMs),
          () -> readyStatus(client) == 503);
      int exitCode = container.awaitExit(Duration.ofMillis(drainDelayMs + graceMs));
      long tookMs = (System.nanoTime() - signalled) / 1_000_000;
      String logs = container.logs();
      // 128 + 15: the JVM ended on the signal after its shutdown hook; 137 would be a SIGKILL.
      assertEquals(143, exitCode, "exit code after SIGTERM (" + tookMs + " ms); logs:\n" + tail(logs, 30));
      int draining = logs.indexOf("draining: /health/ready answers 503");
      assertTrue(draining >= 0, "no drain in the logs:\n" + tail(logs, 30));
      assertTrue(Pattern.compile(" - stopped$", Pattern.MULTILINE).matcher(logs.substring(draining)).find(),
          "the node did not report a clean stop after draining:\n" + tail(logs, 30));
      assertFalse(logs.contains("shutdown did not finish"), "shutdown overran its limit:\n" + tail(logs, 30));
    }
  }

  private static int readyStatus(Client client) {
    try {
      return client.get("/health/ready").statusCode();
    } catch (Exception notListening) {
      return -1;
    }
  }

  /** Sum of the heap pools' maximum sizes ({@code jvm_memory_max_bytes{area="heap"}}, pools without a maximum skipped). */
  private static long heapMaxBytes(String prometheusText) {
    Matcher m = Pattern.compile("^jvm_memory_max_bytes\\{[^}]*area=\"heap\"[^}]*} (\\S+)$", Pattern.MULTILINE)
        .matcher(prometheusText);
    long sum = 0;
    while (m.find()) {
      double value = Double.parseDouble(m.group(1));
      if (value > 0) sum += (long) value;
    }
    assertTrue(sum > 0, "no jvm_memory_max_bytes{area=\"heap\"} in /metrics");
    return sum;
  }

  /** One container of the image, removed on close (and by a shutdown hook if the test JVM ends first). */
  private static final class Container implements AutoCloseable {
    private final String name;
    private final Thread hook;

    private Container(String name) {
      this.name = name;
      this.hook = new Thread(this::remove, "remove-" + name);
      Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Runs the image on the host's network with the suite's node configuration ({@link TestNode#environment()}'s
     * Surge keys, {@link TestNode#arguments}), on {@code port} and {@code managementPort}. SURGE_HTTP_PORT is set too:
     * the image's health check reads it.
     */
    static Container start(String image, int port, int managementPort) {
      Container container = new Container("surge-image-test-" + UUID.randomUUID().toString().substring(0, 8));
      List<String> command = new ArrayList<>(List.of("run", "--detach", "--name", container.name, "--network", "host"));
      command.addAll(LIMITS);
      // Health checks are run by the test (podman healthcheck run): no systemd timer here to run them.
      command.addAll(List.of("--memory", Long.toString(MEMORY_LIMIT), "--health-interval", "disable"));
      Map<String, String> env = surgeEnvironment();
      env.put(ConfigTree.envName("http.port"), Integer.toString(port));
      env.forEach((key, value) -> command.addAll(List.of("--env", key + "=" + value)));
      command.add(image);
      command.addAll(TestNode.arguments(port, Map.of("management.port", Integer.toString(managementPort)), TestNode.replicas()));
      Result started = container.podman(command.toArray(String[]::new));
      assertEquals(0, started.exitCode(), "podman run failed:\n" + started.output());
      return container;
    }

    /** The test run's values of Surge's own config keys, as a node of the suite would read them. */
    private static Map<String, String> surgeEnvironment() {
      Set<String> known = knownEnvNames();
      Map<String, String> env = new HashMap<>();
      TestNode.environment().forEach((key, value) -> {
        if (known.contains(key)) env.put(key, value);
      });
      return env;
    }

    String name() {
      return name;
    }

    void awaitReady(Client client, Duration timeout) {
      try {
        Eventually.until("the container ready", timeout, Duration.ofMillis(500), () -> {
          if (!running()) throw new AssertionError("container exited before it was ready");
          return readyStatus(client) == 200;
        });
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + ":\n" + tail(logs(), 40), e);
      }
    }

    boolean running() {
      return podman("inspect", "--format", "{{.State.Running}}", name).output().strip().equals("true");
    }

    /** Waits for the container to end; returns its exit code, or fails if it is still running after {@code timeout}. */
    int awaitExit(Duration timeout) {
      try {
        Eventually.until("the container ended after SIGTERM", timeout, Duration.ofMillis(200), () -> !running());
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + ":\n" + tail(logs(), 30), e);
      }
      return Integer.parseInt(podman("inspect", "--format", "{{.State.ExitCode}}", name).output().strip());
    }

    String exec(String... command) {
      List<String> args = new ArrayList<>(List.of("exec", name));
      args.addAll(List.of(command));
      Result result = podman(args.toArray(String[]::new));
      assertEquals(0, result.exitCode(), "podman exec " + String.join(" ", command) + ":\n" + result.output());
      return result.output();
    }

    String logs() {
      return podman("logs", name).output();
    }

    Result podman(String... args) {
      List<String> command = new ArrayList<>(PODMAN);
      command.addAll(List.of(args));
      return run(Duration.ofSeconds(60), command);
    }

    private void remove() {
      podman("rm", "--force", "--time", "0", name);
    }

    @Override
    public void close() {
      remove();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // docker/compose.yaml and the files it mounts, checked without starting anything
  // ---------------------------------------------------------------------------------------------

  @Test
  void composeFileIsValidAndSetsOnlySurgeConfigKeys() {
    JsonObject services = compose().getJsonObject("services");
    Set<String> known = knownEnvNames();
    Set<String> unknown = new TreeSet<>();
    for (String service : services.fieldNames()) {
      environment(services.getJsonObject(service)).fieldNames().stream()
          .filter(key -> key.startsWith("SURGE_") && !known.contains(key))
          .forEach(key -> unknown.add(service + ": " + key));
    }
    assertTrue(unknown.isEmpty(), "SURGE_* variables that are no Surge config key (a typo is ignored by the server): " + unknown);
    assertEquals(Set.of("surge-1", "surge-2"), surgeServices().keySet(), "Surge nodes in compose.yaml");
  }

  @Test
  void clusterMembersAreTheNodesOwnAddresses() {
    Map<String, JsonObject> nodes = surgeServices();
    Set<String> expected = new TreeSet<>();
    nodes.forEach((name, service) -> {
      JsonObject env = environment(service);
      assertEquals("true", env.getString("SURGE_CLUSTER_ENABLED"), name + ": cluster.enabled");
      String address = service.getJsonObject("networks").getJsonObject("surge").getString("ipv4_address");
      assertEquals(address, env.getString("SURGE_CLUSTER_HOST"), name + ": cluster.host is not the node's own address");
      expected.add(address + ":" + setting(env, "cluster.port"));
    });
    nodes.forEach((name, service) -> assertEquals(expected, new TreeSet<>(List.of(setting(environment(service), "cluster.members").trim().split("\\s*,\\s*"))),
        name + ": cluster.members must list every node once"));
  }

  @Test
  void haproxyIsValidAndBalancesEveryNodeCheckingReadiness() throws IOException {
    Path cfg = Path.of("docker/haproxy.cfg");
    tools();
    Result check = run(Duration.ofSeconds(30), List.of("haproxy", "-c", "-f", cfg.toString()));
    assertEquals(0, check.exitCode(), "haproxy -c:\n" + check.output());

    String text = Files.readString(cfg);
    Set<String> servers = new TreeSet<>();
    Matcher m = Pattern.compile("^\\s*server\\s+\\S+\\s+(\\S+)", Pattern.MULTILINE).matcher(text);
    while (m.find()) servers.add(m.group(1));
    Set<String> expected = new TreeSet<>();
    surgeServices().forEach((name, service) -> expected.add(name + ":" + setting(environment(service), "http.port")));
    assertEquals(expected, servers, "HAProxy's servers are not the compose file's Surge nodes");
    assertTrue(text.contains("uri /health/ready"), "HAProxy does not check /health/ready");
  }

  @Test
  void prometheusScrapesEveryNodeAndLoadsTheAlertRules() throws IOException {
    // The compose file mounts docker/prometheus.yml and monitoring/prometheus/alerts.yml side by side: check them so.
    Path dir = Files.createTempDirectory("surge-prometheus-");
    Files.copy(Path.of("docker/prometheus.yml"), dir.resolve("prometheus.yml"));
    Files.copy(Path.of("monitoring/prometheus/alerts.yml"), dir.resolve("alerts.yml"));
    Result check = run(Duration.ofSeconds(60), List.of("promtool", "check", "config", dir.resolve("prometheus.yml").toString()));
    for (String file : List.of("prometheus.yml", "alerts.yml")) Files.delete(dir.resolve(file));
    Files.delete(dir);
    assertEquals(0, check.exitCode(), "promtool check config:\n" + check.output());
    assertTrue(check.output().contains("SUCCESS: 1 rule files found"), "the alert rules were not loaded:\n" + check.output());

    String text = Files.readString(Path.of("docker/prometheus.yml"));
    Set<String> targets = new TreeSet<>();
    Matcher m = Pattern.compile("^\\s*-\\s*(\\S+:\\d+)\\s*$", Pattern.MULTILINE).matcher(text);
    while (m.find()) targets.add(m.group(1));
    Set<String> expected = new TreeSet<>();
    surgeServices().forEach((name, service) -> {
      JsonObject env = environment(service);
      assertEquals("0.0.0.0", setting(env, "management.host"), name + ": the management port is not reachable from Prometheus");
      expected.add(name + ":" + setting(env, "management.port"));
    });
    assertEquals(expected, targets, "Prometheus's targets are not the compose file's Surge nodes");
  }

  @Test
  void everyFileTheComposeFileMountsExists() {
    JsonObject services = compose().getJsonObject("services");
    List<String> missing = new ArrayList<>();
    for (String service : services.fieldNames()) {
      for (Object volume : services.getJsonObject(service).getJsonArray("volumes", new JsonArray())) {
        String source = volume.toString().split(":")[0];
        // docker-compose config makes bind mounts absolute; named volumes stay names.
        if (source.startsWith("/") && !Files.exists(Path.of(source))) missing.add(service + ": " + source);
      }
    }
    assertTrue(missing.isEmpty(), "bind mounts of files that do not exist: " + missing);
  }

  /** The value a node reads for {@code key}: its environment entry, else conf/surge.json's default. */
  private static String setting(JsonObject env, String key) {
    String value = env.getString(ConfigTree.envName(key));
    if (value != null) return value;
    Object node = defaults;
    for (String part : key.split("\\.")) node = ((JsonObject) node).getValue(part);
    return String.valueOf(node);
  }

  /** The services that configure Surge (set SURGE_* variables), by name. */
  private static Map<String, JsonObject> surgeServices() {
    JsonObject services = compose().getJsonObject("services");
    Map<String, JsonObject> nodes = new HashMap<>();
    for (String name : services.fieldNames()) {
      JsonObject service = services.getJsonObject(name);
      if (environment(service).fieldNames().stream().anyMatch(k -> k.startsWith("SURGE_"))) nodes.put(name, service);
    }
    return nodes;
  }

  private static JsonObject environment(JsonObject service) {
    // docker-compose config writes every environment as a map with string values.
    return service.getJsonObject("environment", new JsonObject());
  }

  private static JsonObject composeModel;

  /**
   * {@code docker-compose config}: the file validated against the compose schema and normalised (anchors merged,
   * paths absolute), read as JSON through python3-yaml (a dependency of docker-compose). Made once per run.
   */
  private static synchronized JsonObject compose() {
    if (composeModel != null) return composeModel;
    tools();
    try {
      Path yaml = Files.createTempFile("surge-compose-", ".yaml");
      // The file requires a JWT secret from the environment (prod profile); any value of the right length will do.
      Map<String, String> env = Map.of("SURGE_AUTH_JWT_SECRET", "x".repeat(32));
      Result config = run(Duration.ofSeconds(60), env, yaml, List.of("docker-compose", "-f", COMPOSE.toString(), "config"));
      assertEquals(0, config.exitCode(), "docker-compose config rejects " + COMPOSE + ":\n" + config.output());
      Path json = Files.createTempFile("surge-compose-", ".json");
      Result convert = run(Duration.ofSeconds(30), Map.of(), json, List.of("python3", "-c",
          "import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)", yaml.toString()));
      assertEquals(0, convert.exitCode(), "YAML to JSON:\n" + convert.output());
      composeModel = new JsonObject(Files.readString(json));
      Files.delete(yaml);
      Files.delete(json);
      return composeModel;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** docker-compose and haproxy, installed by the image script when missing (the image itself is not needed). */
  private static void tools() {
    Result tools = run(Duration.ofMinutes(5), List.of("docker/build-image", "--tools-only"));
    assertEquals(0, tools.exitCode(), "docker/build-image --tools-only:\n" + tools.output());
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers
  // ---------------------------------------------------------------------------------------------

  /** Every environment name Surge reads: {@link ConfigTree#envName} of each leaf of conf/surge.json. */
  private static Set<String> knownEnvNames() {
    Set<String> names = new TreeSet<>();
    collectLeaves(defaults, "", names);
    return names;
  }

  private static void collectLeaves(JsonObject node, String prefix, Set<String> names) {
    for (String field : node.fieldNames()) {
      if (node.getValue(field) instanceof JsonObject child) collectLeaves(child, prefix + field + ".", names);
      else names.add(ConfigTree.envName(prefix + field));
    }
  }

  record Result(int exitCode, String output) {}

  /** Runs {@code command} from the repository root; the result holds its standard output and error together. */
  private static Result run(Duration timeout, List<String> command) {
    try {
      Path out = Files.createTempFile("surge-cmd-", ".out");
      try {
        return run(timeout, new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()), out);
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new AssertionError("could not run " + command, e);
    }
  }

  /** Runs {@code command} with {@code env} added, its standard output into {@code stdout}; the result holds standard error. */
  private static Result run(Duration timeout, Map<String, String> env, Path stdout, List<String> command) {
    try {
      Path err = Files.createTempFile("surge-cmd-", ".err");
      try {
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(err.toFile());
        builder.environment().putAll(env);
        return run(timeout, builder, err);
      } finally {
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new AssertionError("could not run " + command, e);
    }
  }

  private static Result run(Duration timeout, ProcessBuilder builder, Path output) throws IOException {
    try {
      Process process = builder.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", builder.command()) + " did not finish in " + timeout + ":\n"
            + tail(Files.readString(output, StandardCharsets.UTF_8), 40));
      }
      return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String tail(String text, int lines) {
    String[] all = text.split("\n");
    return String.join("\n", List.of(all).subList(Math.max(0, all.length - lines), all.length));
  }
}
