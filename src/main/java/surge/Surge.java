package surge;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import surge.config.SurgeConfig;
import surge.db.Migrations;
import surge.db.ReplicaMonitor;
import surge.demo.DemoData;
import surge.http.HttpVerticle;

/**
 * One Surge node inside a Vert.x instance: migrate, build the shared services, deploy the replica
 * monitor and the HTTP verticles. {@link Main} calls it for the real server, tests for theirs.
 */
public final class Surge {
  private static final Logger log = LoggerFactory.getLogger(Surge.class);
  private final Vertx vertx;
  private final Services services;
  private final String monitorId;
  private final String deploymentId;

  private Surge(Vertx vertx, Services services, String monitorId, String deploymentId) {
    this.vertx = vertx;
    this.services = services;
    this.monitorId = monitorId;
    this.deploymentId = deploymentId;
  }

  public static Future<Surge> start(Vertx vertx, SurgeConfig config) {
    int instances = config.http().instances() > 0
        ? config.http().instances() : VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
    // JDBC on a worker of its own: Flyway may retry a database that is still starting for a
    // minute or more, longer than the blocked-thread limit of ordinary workers.
    WorkerExecutor startup = vertx.createSharedWorkerExecutor("surge-startup", 1, 10, TimeUnit.MINUTES);
    return startup.executeBlocking(() -> {
          Migrations.apply(config.db());
          return Services.create(vertx, config);
        })
        .andThen(done -> startup.close())
        .compose(services -> vertx.deployVerticle(new ReplicaMonitor(services.shards()))
            .compose(monitor -> (config.seedDemo() ? new DemoData(services).seed() : Future.<Void>succeededFuture())
                .compose(seeded -> vertx.deployVerticle(() -> new HttpVerticle(config.http(), services),
                    new DeploymentOptions().setInstances(instances)))
                .map(id -> new Surge(vertx, services, monitor, id))))
        .onSuccess(node -> log.info("Surge serving on {}:{} with {} HTTP verticle instance(s), profile {}",
            config.http().host(), config.http().port(), instances, config.profile()));
  }

  public Services services() {
    return services;
  }

  /** Undeploys the HTTP verticles and the replica monitor, then closes the pools they used. */
  public Future<Void> stop() {
    return vertx.undeploy(deploymentId)
        .compose(done -> vertx.undeploy(monitorId))
        .compose(done -> services.workers().close())
        .compose(done -> services.caches().close())
        .compose(done -> services.limiter().close())
        .compose(done -> services.shards().close());
  }
}
