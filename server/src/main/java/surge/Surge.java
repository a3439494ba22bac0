package surge;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import surge.db.Migrations;
import surge.db.ReplicaMonitor;
import surge.demo.DemoData;
import surge.events.OutboxRelay;
import surge.management.ManagementVerticle;
import surge.metrics.Metrics;
import surge.server.HttpInstances;
import surge.server.HttpVerticle;
import surge.server.OperatorViews;
import surge.server.Services;
import surge.server.StopSequence;

/**
 * One Surge node inside a Vert.x instance: migrate, build the shared services, deploy the replica
 * monitor, the outbox relay and the HTTP verticles. {@link Main} calls it for the real server, tests for theirs.
 */
public final class Surge {
  private static final Logger log = LoggerFactory.getLogger(Surge.class);
  private final Vertx vertx;
  private final SurgeConfig config;
  private final Services services;
  private final String monitorId;
  private final String relayId;
  private final HttpInstances http;
  /** Every step of a stop takes well under a second; this bound is for one that never ends. */
  private static final long STEP_LIMIT_MS = 15_000;
  private final StopSequence stopping;
  private String timelineId;
  private ManagementVerticle management;

  private Surge(Vertx vertx, SurgeConfig config, Services services, String monitorId, String relayId, HttpInstances http) {
    this.vertx = vertx;
    this.config = config;
    this.services = services;
    this.monitorId = monitorId;
    this.relayId = relayId;
    this.http = http;
    this.stopping = new StopSequence();
  }

  /** A node with a registry of its own (Vert.x's meters are not in it unless {@code vertx} was built with it). */
  public static Future<Surge> start(Vertx vertx, SurgeConfig config) {
    return start(vertx, config, Metrics.create(config.metrics()));
  }

  /** A node whose meters go to {@code metrics}, the registry {@code vertx} was built with ({@link Metrics#vertxBuilder}). */
  public static Future<Surge> start(Vertx vertx, SurgeConfig config, Metrics metrics) {
    int instances = config.http().instances() > 0
        ? config.http().instances() : VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
    // JDBC on a worker of its own: Flyway may retry a database that is still starting for a
    // minute or more, longer than the blocked-thread limit of ordinary workers.
    WorkerExecutor startup = vertx.createSharedWorkerExecutor("surge-startup", 1, 10, TimeUnit.MINUTES);
    return startup.executeBlocking(() -> {
          Migrations.apply(config.db());
          return Services.create(vertx, config, metrics);
        })
        .andThen(done -> startup.close())
        // Serve only once invalidations can reach this node's L1.
        .compose(services -> services.caches().ready().map(services))
        // Waits for the first try at the external key set only: a failed fetch is retried while the node serves.
        .compose(services -> services.tokens().open().map(services))
        .compose(services -> vertx.deployVerticle(new ReplicaMonitor(services.shards()))
            .compose(monitor -> relay(vertx, config, services)
                .compose(relay -> (config.demo().seed() ? new DemoData(services).seed() : Future.<Void>succeededFuture())
                    .map(seeded -> httpInstances(vertx, config, services))
                    .compose(http -> http.scaleTo(instances).map(n -> new Surge(vertx, config, services, monitor, relay, http))))))
        .compose(node -> node.startTimelines(config))
        .compose(node -> node.startManagement(config))
        .onSuccess(node -> log.info("Surge serving on {}:{} with {} HTTP verticle instance(s), profile {}",
            config.http().host(), node.httpPort(), instances, config.profile()));
  }

  /** The node's HTTP verticles, all binding one port (one chosen for the node with {@code http.port=0}). */
  private static HttpInstances httpInstances(Vertx vertx, SurgeConfig config, Services services) {
    int bindPort = HttpVerticle.bindPort(config.http().port());
    return new HttpInstances(vertx,
        () -> new HttpVerticle(config.http(), config.tls(), bindPort, services, config.shutdown().graceMs(), config.log()));
  }

  /** The outbox relay (one per node), unless {@code events.relay} is off; the id is null then. */
  private static Future<String> relay(Vertx vertx, SurgeConfig config, Services services) {
    if (!config.events().relay()) return Future.succeededFuture(null);
    return vertx.deployVerticle(new OutboxRelay(config, services.shards(), services.relayStats())
        .withMetrics(services.metrics()));
  }

  /**
   * The timelines' trust checks and this node's timeline consumer, once the node serves (until they report, feeds use
   * the scatter-gather query); none with {@code timeline.enabled} off.
   */
  private Future<Surge> startTimelines(SurgeConfig config) {
    if (services.timelines() == null) return Future.succeededFuture(this);
    java.util.List<String> shardNames = services.shards().all().stream().map(p -> p.name()).toList();
    return vertx.deployVerticle(new surge.timeline.TimelineVerticle(config, services.timelines(),
            services.timelineRepository(), () -> services.relayStats().oldestAgeMs(shardNames)))
        .map(id -> {
          timelineId = id;
          return this;
        });
  }

  /** The management server (metrics), once the node serves; none with {@code management.enabled} off. */
  private Future<Surge> startManagement(SurgeConfig config) {
    if (!config.management().enabled()) return Future.succeededFuture(this);
    ManagementVerticle verticle = new ManagementVerticle(config.management(), services.metrics(), http,
        OperatorViews.of(services));
    return vertx.deployVerticle(verticle).map(id -> {
      management = verticle;
      return this;
    });
  }

  /** Where the API listens: {@code http.port}, or the port chosen for {@code http.port=0}. */
  public int httpPort() {
    return http.port();
  }

  /** Where the management server listens; -1 without one. */
  public int managementPort() {
    return management == null ? -1 : management.port();
  }

  public Services services() {
    return services;
  }

  /**
   * The orderly stop of a running node (SIGTERM): readiness turns false at once, the node keeps serving for
   * {@code shutdown.drainDelayMs} while load balancers take it out, then {@link #stop} lets requests in flight finish
   * (up to {@code shutdown.graceMs}) before the relay flushes and the pools close.
   */
  public Future<Void> shutdown() {
    services.lifecycle().startDraining();
    log.info("draining: /health/ready answers 503; still serving for {} ms", config.shutdown().drainDelayMs());
    Promise<Void> drained = Promise.promise();
    vertx.setTimer(Math.max(1, config.shutdown().drainDelayMs()), id -> drained.complete());
    return drained.future()
        .compose(v -> stop())
        .onSuccess(v -> log.info("stopped"));
  }

  /**
   * Undeploys the HTTP verticles, then the management server, then the relay (its running rounds finish, its producer flushes), then the replica
   * monitor, then closes the pools they used.
   */
  public Future<Void> stop() {
    long httpLimitMs = config.shutdown().graceMs() + STEP_LIMIT_MS;
    // each HTTP verticle stops listening, then waits for its requests and streams
    return stopping.step("http verticles", httpLimitMs, () -> http.stopAll())
        // metrics stay scrapeable through the drain and the grace period
        .compose(done -> step("management", () -> management == null ? null : vertx.undeploy(management.deploymentID())))
        .compose(done -> step("timeline consumer", () -> timelineId == null ? null : vertx.undeploy(timelineId)))
        .compose(done -> step("outbox relay", () -> relayId == null ? null : vertx.undeploy(relayId)))
        .compose(done -> step("replica monitor", () -> vertx.undeploy(monitorId)))
        .compose(done -> step("workers", () -> services.workers().close()))
        .compose(done -> step("token verifier", () -> services.tokens().close()))
        .compose(done -> step("caches", () -> services.caches().close()))
        .compose(done -> step("timelines", () -> services.timelines() == null ? null : services.timelines().close()))
        .compose(done -> step("membership", () -> services.membership().close()))
        .compose(done -> step("rate limiter", () -> services.limiter().close()))
        .compose(done -> step("database pools", () -> services.shards().close()))
        .andThen(done -> {
          services.metrics().close();
          stopping.finished();
        });
  }

  /** What {@link #stop} is waiting for ({@code "stopped"} once done; null before it began). */
  public String stopStep() {
    return stopping.current();
  }

  private Future<Void> step(String name, java.util.function.Supplier<Future<?>> action) {
    return stopping.step(name, STEP_LIMIT_MS, action);
  }
}
