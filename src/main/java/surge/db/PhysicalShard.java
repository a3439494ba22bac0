package surge.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;
import java.util.concurrent.TimeUnit;
import surge.config.SurgeConfig;

/**
 * One physical PostgreSQL database holding some logical shards: a primary pool for writes and
 * transactions, and the place reads are routed.
 */
public final class PhysicalShard {
  private final ShardMap.Physical spec;
  private final Pool primary;

  PhysicalShard(ShardMap.Physical spec, Pool primary) {
    this.spec = spec;
    this.primary = primary;
  }

  static PhysicalShard connect(Vertx vertx, SurgeConfig.Db db, ShardMap.Physical spec) {
    return new PhysicalShard(spec, pool(vertx, db, spec.primary(), spec.database(), spec.name() + "-primary"));
  }

  static Pool pool(Vertx vertx, SurgeConfig.Db db, ShardMap.Endpoint endpoint, String database, String name) {
    PgConnectOptions connect = new PgConnectOptions()
        .setHost(endpoint.host()).setPort(endpoint.port()).setDatabase(database)
        .setUser(db.user()).setPassword(db.password())
        .setCachePreparedStatements(true)
        .setPreparedStatementCacheMaxSize(db.preparedStatementCacheSize())
        .setPipeliningLimit(db.pipeliningLimit());
    PoolOptions options = new PoolOptions()
        .setMaxSize(db.poolSize())
        .setMaxWaitQueueSize(db.poolMaxWaitQueue())
        .setConnectionTimeout(db.acquireTimeoutMs())
        .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
        .setName("surge-" + name);
    return PgBuilder.pool().with(options).connectingTo(connect).using(vertx).build();
  }

  public String name() {
    return spec.name();
  }

  public ShardMap.Physical spec() {
    return spec;
  }

  /** Writes and transactions. */
  public Pool primary() {
    return primary;
  }

  /** Where this viewer's reads go. */
  public Future<SqlClient> reader(Viewer viewer) {
    return Future.succeededFuture(primary);
  }

  /** Called after a write the viewer made here commits, so their next reads see it. */
  public Future<Void> wrote(Viewer viewer) {
    return Future.succeededFuture();
  }

  public Future<Void> close() {
    return primary.close();
  }
}
