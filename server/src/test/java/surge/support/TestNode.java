package surge.support;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import surge.Surge;
import surge.SurgeConfig;
import surge.config.ConfigTree;
import surge.redis.RedisConfig;

/**
 * Starts a real Surge node for a test class, against the local stack's PostgreSQL (database
 * {@code surge_test} and {@code surge_test_s1} as two physical shards, unless {@code SURGE_DB_SHARDS}
 * says otherwise). Configuration goes through the same loader as production: {@code conf/surge.json}, then {@code SURGE_*} variables, then the
 * test's overrides.
 *
 * <p>Replicas: feature tests write as one client and read as another (often anonymously) at once,
 * which replicas do not promise (read-your-writes is per user): another client may see a write a
 * replay later. On the stack that is about a millisecond, and the whole suite passes with
 * {@code SURGE_TEST_REPLICAS=true}, but a loaded CI machine could stretch it, so by default nodes
 * read from primaries only and the replica paths are tested by the nodes started with
 * {@link #startWithReplicas} (the replica tests in {@code surge.db}).
 */
public final class TestNode {
  /** Fixed so tokens minted by a test (e.g. expired ones) verify against the node's key. */
  public static final String JWT_SECRET = "test-secret-test-secret-test-secret-0123456789";

  private TestNode() {}

  public static SurgeConfig config(int port, Map<String, String> overrides) {
    return config(port, overrides, replicas());
  }

  public static SurgeConfig config(int port, Map<String, String> overrides, boolean replicas) {
    requireStackTier();
    return SurgeConfig.from(ConfigTree.load(Path.of("conf/surge.json"), environment(), arguments(port, overrides, replicas)));
  }

  /**
   * Fails a test of the unit tier (surefire sets {@code surge.test.tier=unit}) that tries to start a node: a node needs
   * the stack, so the test belongs in an {@code *IT} class, which failsafe runs with the stack up.
   */
  public static void requireStackTier() {
    if ("unit".equals(System.getProperty("surge.test.tier"))) {
      throw new AssertionError("this test starts a node, which needs the stack: name its class *IT (docs/testing.md)");
    }
  }

  /** The test run's environment with the suite's database defaults: what a node of the suite reads. */
  public static Map<String, String> environment() {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.putIfAbsent("SURGE_DB_SHARDS", "surge_test,surge_test_s1");
    // The suite's databases follow the even split, whatever map bin/shard-move left in conf/ for bin/run.
    env.putIfAbsent("SURGE_DB_SHARD_MAP_FILE", "");
    return env;
  }

  /** The suite's {@code --key=value} overrides for a node on {@code port}, then {@code overrides}. */
  public static List<String> arguments(int port, Map<String, String> overrides, boolean replicas) {
    List<String> args = new java.util.ArrayList<>(List.of(
        "--http.host=127.0.0.1", "--http.port=" + port, "--auth.jwtSecret=" + JWT_SECRET,
        // Cheaper Argon2 for the suite's hundreds of registrations; production cost is in conf/.
        "--passwords.memoryKib=1024", "--passwords.iterations=1",
        // The limiter stays on (its path is exercised by every feature test) with quotas no test reaches;
        // surge.ratelimit tests override them with small ones.
        "--ratelimit.reads=100000000/60", "--ratelimit.writes=100000000/60", "--ratelimit.auth=100000000/60",
        "--ratelimit.login=100000000/60", "--ratelimit.nodes=1",
        // Every node of the suite runs its management server, on a free port: nodes of one run never clash on 9464.
        "--management.port=0"));
    if (!replicas) args.add("--db.replicas=");
    overrides.forEach((k, v) -> args.add("--" + k + "=" + v));
    return args;
  }

  /** Whether the suite's nodes read from replicas ({@code SURGE_TEST_REPLICAS=true}). */
  public static boolean replicas() {
    return "true".equalsIgnoreCase(System.getenv("SURGE_TEST_REPLICAS"));
  }

  /** The stack's Redis (conf/surge.json or {@code SURGE_REDIS_*}) with {@code timeoutMs} and {@code breakerFailures}. */
  public static RedisConfig redis(int timeoutMs, int breakerFailures) {
    RedisConfig stack = config(0, Map.of()).redis();
    return new RedisConfig(stack.host(), stack.port(), timeoutMs, breakerFailures);
  }

  /** A node on a port of its own choosing ({@code http.port=0}); {@link Started#port} says which. */
  public static Started start(Vertx vertx, Map<String, String> overrides) {
    return start(vertx, config(0, overrides));
  }

  /** A node that reads from the stack's replicas ({@code db.replicas} of conf/surge.json or SURGE_DB_REPLICAS). */
  public static Started startWithReplicas(Vertx vertx, Map<String, String> overrides) {
    return start(vertx, config(0, overrides, true));
  }

  /** A node with {@code config} as it is (its {@code http.port} may be 0: {@link Started#port} is the bound one). */
  public static Started start(Vertx vertx, SurgeConfig config) {
    Surge node = Surge.start(vertx, config).await();
    return new Started(node, node.httpPort(), config);
  }

  public static Started start(Vertx vertx) {
    return start(vertx, Map.of());
  }

  /** A node stops in seconds; one that has not after this long has a stop step that never ends. */
  static final long STOP_LIMIT_S = 60;

  /**
   * Stops {@code node}, failing with the step it hangs in and the threads of the JVM when it has not stopped within
   * {@link #STOP_LIMIT_S}: a hang at teardown is a bug of the node's stop, and the failure says where to look.
   */
  public static void stop(Surge node) {
    try {
      node.stop().await(STOP_LIMIT_S, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      StringBuilder threads = new StringBuilder();
      Thread.getAllStackTraces().forEach((thread, frames) -> {
        threads.append('\n').append(thread.getName()).append(' ').append(thread.getState());
        for (int i = 0; i < Math.min(frames.length, 12); i++) threads.append("\n    at ").append(frames[i]);
      });
      throw new AssertionError("the node did not stop within " + STOP_LIMIT_S + " s; still at: " + node.stopStep()
          + "\nthreads:" + threads, e);
    }
  }

  /** A running node and where it listens ({@code config.http().port()} may be 0; {@code port} is the bound one). */
  public record Started(Surge node, int port, SurgeConfig config) {
    public void stop() {
      TestNode.stop(node);
    }
  }

}
