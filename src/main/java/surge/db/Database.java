package surge.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.concurrent.TimeUnit;
import surge.config.SurgeConfig;

/**
 * The PostgreSQL connection pool of this node, through the reactive client only: prepared
 * statements are cached per connection and queries are pipelined, which is what lets a handful of
 * connections carry thousands of concurrent requests.
 */
public final class Database {
  private final Pool pool;

  private Database(Pool pool) {
    this.pool = pool;
  }

  public static Database connect(Vertx vertx, SurgeConfig.Db config) {
    PgConnectOptions connect = new PgConnectOptions()
        .setHost(config.host()).setPort(config.port()).setDatabase(config.database())
        .setUser(config.user()).setPassword(config.password())
        .setCachePreparedStatements(true)
        .setPreparedStatementCacheMaxSize(config.preparedStatementCacheSize())
        .setPipeliningLimit(config.pipeliningLimit());
    PoolOptions options = new PoolOptions()
        .setMaxSize(config.poolSize())
        .setMaxWaitQueueSize(config.poolMaxWaitQueue())
        .setConnectionTimeout(config.acquireTimeoutMs())
        .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
        .setName("surge-primary");
    return new Database(PgBuilder.pool().with(options).connectingTo(connect).using(vertx).build());
  }

  public Pool pool() {
    return pool;
  }

  /** Ready means a query answers. */
  public Future<Void> ping() {
    return pool.query("SELECT 1").execute().mapEmpty();
  }

  public Future<Void> close() {
    return pool.close();
  }
}
