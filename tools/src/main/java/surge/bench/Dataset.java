package surge.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import surge.SurgeConfig;
import surge.auth.PasswordHasher;
import surge.auth.PasswordsConfig;
import surge.config.ConfigException;
import surge.config.ConfigTree;
import surge.db.DbConfig;
import surge.db.Migrations;
import surge.db.ShardMap;
import surge.db.Shards;

/**
 * {@code benchmarks/seed}: seeds a deterministic RealWorld dataset straight into the physical shards
 * of the configuration ({@code db.shards}, map file, like a node), then writes its manifest. A run
 * with the same name, seed, sizes and shards as the dataset already there reuses it; {@code --reset}
 * empties the data tables of benchmark databases first and seeds again, whatever they held.
 *
 * <p>Runs its own Vert.x and blocks with {@code await()} on the main thread, like the shard-move
 * tool: a tool, not an event loop. Flyway (JDBC) migrates fresh databases first, as a node would.
 */
public final class Dataset {
  /** What a run did: whether it reused the dataset already there, where the manifest is, timings in ms. */
  public record Report(boolean reused, Path manifest, long rows, Map<String, Long> millis) {}

  private static final int POOL_SIZE = ShardLoader.IN_FLIGHT + 1;

  private Dataset() {}

  public static void main(String[] args) {
    try {
      run(List.of(args), System.getenv(), line -> System.out.println("seed: " + line));
      System.exit(0);
    } catch (ConfigException | IllegalArgumentException e) {
      System.err.println("seed: " + e.getMessage());
      System.exit(2);
    } catch (RuntimeException e) {
      System.err.println("seed: failed: " + e);
      System.exit(1);
    }
  }

  /** The command's entry point and the tests': flags as on the command line, the environment, progress lines. */
  public static Report run(List<String> args, Map<String, String> env, Consumer<String> progress) {
    List<String> configArgs = new ArrayList<>();
    DatasetSpec spec = DatasetSpec.parse(args, configArgs);
    Path file = Path.of(env.getOrDefault("SURGE_CONFIG", "conf/surge.json"));
    SurgeConfig config = SurgeConfig.from(ConfigTree.load(file, env, configArgs));
    if (System.currentTimeMillis() < DatasetPlan.END_MS) {
      throw new IllegalStateException("the clock is before the dataset's time window ends; ids could meet the app's");
    }
    ShardMap map = Shards.loadMap(config.db());
    if (map.frozenCount() > 0) throw new IllegalStateException("the shard map has frozen logical shards: a move is under way");
    Map<String, Long> millis = new LinkedHashMap<>();
    DatasetPlan plan = timed(millis, "plan", () -> DatasetPlan.of(spec));
    progress.accept("planned " + spec.toJson().copy().put("password", "…").encode() + " in " + millis.get("plan") + " ms");
    String hash = timed(millis, "hash", () -> passwordHash(spec, config.passwords()));
    Vertx vertx = Vertx.vertx();
    try {
      timed(millis, "migrate", () -> {
        createMissingDatabases(vertx, config.db(), map, progress);
        Migrations.apply(config.db());
        return null;
      });
      List<Pool> pools = pools(vertx, config.db(), map);
      try {
        return seed(spec, plan, hash, new DatasetWriter(map, pools, progress), progress, millis);
      } finally {
        pools.forEach(pool -> pool.close().await());
      }
    } finally {
      vertx.close().await();
    }
  }

  private static Report seed(DatasetSpec spec, DatasetPlan plan, String hash, DatasetWriter writer,
                             Consumer<String> progress, Map<String, Long> millis) {
    JsonObject identity = writer.identity(spec);
    List<DatasetWriter.State> states = writer.states();
    if (!spec.reset() && states.stream().allMatch(s -> identity.equals(s.marker()))) {
      Path manifest = Manifest.write(plan, identity, hash);
      progress.accept("dataset '" + spec.name() + "' is already there; reusing it. Manifest: " + manifest);
      return new Report(true, manifest, 0, millis);
    }
    if (spec.reset()) {
      writer.reset(states);
    } else if (states.stream().anyMatch(s -> s.hasData() || s.marker() != null)) {
      throw new IllegalStateException("the databases hold something else " + DatasetWriter.describe(states)
          + "; pass --reset to replace a benchmark dataset, or choose empty databases with --db.shards");
    }
    long started = System.nanoTime();
    writer.write(plan, hash, identity);
    millis.put("write", (System.nanoTime() - started) / 1_000_000);
    Path manifest = timed(millis, "manifest", () -> Manifest.write(plan, identity, hash));
    long rows = 3L * spec.users() + spec.articles() + plan.followFollower.length + spec.favorites() + spec.comments();
    progress.accept("seeded " + rows + " rows in " + millis.get("write") + " ms " + millis + ". Manifest: " + manifest);
    return new Report(false, manifest, rows, millis);
  }

  /**
   * Benchmark databases are the tool's own, so it creates the missing ones (the app role may create
   * databases, see bin/stack) and a fresh name needs no entry in the stack's list.
   */
  private static void createMissingDatabases(Vertx vertx, DbConfig db, ShardMap map, Consumer<String> progress) {
    for (ShardMap.Physical p : map.physical()) {
      Pool admin = PgBuilder.pool().connectingTo(connectOptions(db, p, "postgres")).using(vertx).build();
      try {
        if (admin.preparedQuery("SELECT 1 FROM pg_database WHERE datname = $1").execute(Tuple.of(p.database())).await().size() == 0) {
          admin.query("CREATE DATABASE \"" + p.database().replace("\"", "\"\"") + "\"").execute().await();
          progress.accept("created database " + p.database() + " on " + p.primary());
        }
      } finally {
        admin.close().await();
      }
    }
  }

  /** One hash for every user, salted from the seed so reruns store the same string; the app's cost settings. */
  static String passwordHash(DatasetSpec spec, PasswordsConfig cost) {
    byte[] salt = new byte[16];
    Words.stream(spec.seed(), 7, 0).nextBytes(salt);
    return PasswordHasher.hashWithSalt(spec.password(), salt, cost);
  }

  /** Primaries only; commits need not wait for the disk (a lost tail is re-seeded with --reset). */
  private static List<Pool> pools(Vertx vertx, DbConfig db, ShardMap map) {
    List<Pool> pools = new ArrayList<>();
    for (ShardMap.Physical p : map.physical()) {
      PgConnectOptions connect = connectOptions(db, p, p.database())
          .addProperty("synchronous_commit", "off")
          .addProperty("application_name", "surge-dataset");
      pools.add(PgBuilder.pool().with(new PoolOptions().setMaxSize(POOL_SIZE)).connectingTo(connect).using(vertx).build());
    }
    return pools;
  }

  private static PgConnectOptions connectOptions(DbConfig db, ShardMap.Physical p, String database) {
    return new PgConnectOptions().setHost(p.primary().host()).setPort(p.primary().port()).setDatabase(database)
        .setUser(db.user()).setPassword(db.password());
  }

  private static <T> T timed(Map<String, Long> millis, String step, Supplier<T> work) {
    long started = System.nanoTime();
    T result = work.get();
    millis.put(step, (System.nanoTime() - started) / 1_000_000);
    return result;
  }
}
