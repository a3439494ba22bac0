package surge.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import surge.cluster.Transports;

/**
 * The ceilings the benchmark report divides by (issue 7, part 3): the bare framework on the same machine.
 *
 * <ul>
 *   <li>{@code --mode=json}: every request gets a small JSON object, nothing else. The HTTP layer's ceiling.
 *   <li>{@code --mode=bytes --body=FILE}: every request gets the bytes of {@code FILE} as {@code application/json}
 *       (read once at start): the ceiling of an endpoint that sends exactly what Surge sends for a cached page.
 *   <li>{@code --mode=query}: every request runs one prepared single-row query,
 *       {@code SELECT id, title FROM articles WHERE id = $1}, with an id drawn at random from the first
 *       {@code --ids} article ids of the database, and returns the row as JSON. The ceiling of a one-query endpoint.
 * </ul>
 *
 * <p>Built like Surge: one HTTP verticle instance per event loop (2 × cores), one shared reactive pool per
 * process with Surge's defaults ({@code db.poolSize} 16, {@code db.pipeliningLimit} 256, prepared-statement
 * cache on), on the same Netty transport ({@code --transport=}, else {@code SURGE_VERTX_TRANSPORT}, else {@code epoll}, the server's default).
 * No router, no cache, no auth, no rate limiter: what is left is the cost Surge cannot avoid.
 *
 * <pre>
 * java -cp tools/target/surge-tools.jar surge.bench.Baseline --mode=json --port=18200
 * java -cp tools/target/surge-tools.jar surge.bench.Baseline --mode=bytes --port=18203 --body=list-page.json
 * java -cp tools/target/surge-tools.jar surge.bench.Baseline --mode=query --port=18201 --db.database=surge_dataset_0
 * </pre>
 */
public final class Baseline {
  private static final Buffer HELLO = new JsonObject().put("message", "Hello, World!").toBuffer();

  private Baseline() {}

  public static void main(String[] args) {
    Map<String, String> opts = parse(args);
    String mode = opts.getOrDefault("mode", "json");
    if (!List.of("json", "bytes", "query").contains(mode)) throw new IllegalArgumentException("--mode=json|bytes|query");
    Buffer body = mode.equals("bytes") ? body(opts) : HELLO;
    int port = Integer.parseInt(opts.getOrDefault("port", "18200"));
    String host = opts.getOrDefault("host", "127.0.0.1");
    int instances = VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
    // The transport Surge runs on (vertx.transport), so a ratio compares servers, not transports.
    String transport = opts.getOrDefault("transport", System.getenv().getOrDefault("SURGE_VERTX_TRANSPORT", "epoll"));
    Vertx vertx = Vertx.builder().withTransport(Transports.choose(transport)).build();
    Pool pool = mode.equals("query") ? pool(vertx, opts) : null;
    Future<long[]> ids = pool == null ? Future.succeededFuture(new long[0])
        : pool.preparedQuery("SELECT id FROM articles ORDER BY id LIMIT $1")
            .execute(Tuple.of(Integer.parseInt(opts.getOrDefault("ids", "10000"))))
            .map(rows -> {
              long[] out = new long[rows.size()];
              int i = 0;
              for (Row row : rows) out[i++] = row.getLong(0);
              if (out.length == 0) throw new IllegalStateException("no articles in the database");
              return out;
            });
    ids.compose(list -> vertx.deployVerticle(() -> new Server(host, port, pool, list, body),
            new DeploymentOptions().setInstances(instances)))
        .onSuccess(id -> System.out.printf("baseline %s serving on %s:%d with %d instance(s)%n", mode, host, port,
            instances))
        .onFailure(err -> {
          System.err.println("baseline: " + err);
          System.exit(1);
        });
  }

  /** The file of {@code --body}, read on the main thread before any event loop runs. */
  private static Buffer body(Map<String, String> opts) {
    String file = opts.get("body");
    if (file == null) throw new IllegalArgumentException("--mode=bytes needs --body=FILE");
    try {
      return Buffer.buffer(Files.readAllBytes(Path.of(file)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static Pool pool(Vertx vertx, Map<String, String> opts) {
    // The stack's address as a node finds it (SURGE_DB_HOST / SURGE_DB_PORT), so a stack on other ports works too.
    Map<String, String> env = System.getenv();
    PgConnectOptions connect = new PgConnectOptions()
        .setHost(opts.getOrDefault("db.host", env.getOrDefault("SURGE_DB_HOST", "127.0.0.1")))
        .setPort(Integer.parseInt(opts.getOrDefault("db.port", env.getOrDefault("SURGE_DB_PORT", "15432"))))
        .setDatabase(opts.getOrDefault("db.database", "surge_dataset_0"))
        .setUser(opts.getOrDefault("db.user", "surge"))
        .setPassword(opts.getOrDefault("db.password", "surge"))
        .setCachePreparedStatements(true)
        .setPreparedStatementCacheMaxSize(256)
        .setPipeliningLimit(Integer.parseInt(opts.getOrDefault("db.pipeliningLimit", "256")));
    PoolOptions pool = new PoolOptions().setMaxSize(Integer.parseInt(opts.getOrDefault("db.poolSize", "16")))
        .setMaxWaitQueueSize(1024).setName("baseline");
    return PgBuilder.pool().with(pool).connectingTo(connect).using(vertx).build();
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> out = new HashMap<>();
    for (String arg : args) {
      if (!arg.startsWith("--") || !arg.contains("=")) throw new IllegalArgumentException("expected --key=value: " + arg);
      out.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
    }
    return out;
  }

  /** One instance per event loop; all share the pool, as Surge's verticles share its services. */
  private static final class Server extends VerticleBase {
    private final String host;
    private final int port;
    private final Pool pool;
    private final long[] ids;
    private final Buffer body;

    Server(String host, int port, Pool pool, long[] ids, Buffer body) {
      this.host = host;
      this.port = port;
      this.pool = pool;
      this.ids = ids;
      this.body = body;
    }

    @Override
    public Future<?> start() {
      return vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
          .requestHandler(req -> {
            var response = req.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
            if (pool == null) {
              response.end(body);
              return;
            }
            long id = ids[ThreadLocalRandom.current().nextInt(ids.length)];
            pool.preparedQuery("SELECT id, title FROM articles WHERE id = $1").execute(Tuple.of(id))
                .onSuccess(rows -> {
                  Row row = rows.iterator().next();
                  response.end(new JsonObject().put("id", row.getLong(0)).put("title", row.getString(1)).toBuffer());
                })
                .onFailure(err -> response.setStatusCode(500).end(err.toString()));
          })
          .listen();
    }
  }
}
