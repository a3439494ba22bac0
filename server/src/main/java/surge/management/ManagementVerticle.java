package surge.management;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import surge.metrics.Metrics;
import surge.server.HttpScaling;
import surge.server.OperatorViews;
import surge.web.Errors;

/**
 * The management server: operator endpoints on {@code management.host}:{@code management.port}, apart from the API
 * (its own HTTP server, so the API port never serves them, and loopback-only by default). One instance per node,
 * deployed by {@link surge.Surge#start} when {@code management.enabled}. Endpoints: {@code GET /metrics}
 * (Prometheus text format) with {@code metrics.enabled}; the operator views {@code GET /health/<name>} (see
 * {@link OperatorViews}); with {@code management.token} set, the operator endpoints that change the node, under
 * {@code /admin} (see {@link Admin}). New endpoints go into {@link #router}.
 */
public final class ManagementVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(ManagementVerticle.class);
  /** Prometheus text exposition format 0.0.4. */
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final ManagementConfig config;
  private final Metrics metrics;
  private final HttpScaling scaling;
  private final Map<String, Supplier<JsonObject>> views;
  private HttpServer server;

  /** {@code views}: the operator views to serve (see {@link OperatorViews#of}); empty for none. */
  public ManagementVerticle(ManagementConfig config, Metrics metrics, HttpScaling scaling,
                            Map<String, Supplier<JsonObject>> views) {
    this.config = config;
    this.metrics = metrics;
    this.scaling = scaling;
    this.views = views;
  }

  /** The management routes; unknown paths answer 404. */
  static Router router(Vertx vertx, Metrics metrics, Map<String, Supplier<JsonObject>> views) {
    Router router = Router.router(vertx);
    if (metrics.enabled()) router.get("/metrics").handler(ctx -> scrape(vertx, metrics, ctx));
    // the server's bind address is the guard here (management.host)
    OperatorViews.mount(router, views, ctx -> true);
    // the API's one error path: RealWorld-shaped errors, 404/405 for unknown routes, a logged 500 for a bug
    Errors.install(router);
    return router;
  }

  /** The operator endpoints that change the node: only with {@code management.token} set, and only with it. */
  private Router withAdmin(Router router) {
    if (config.token().isEmpty() || scaling == null) return router;
    Admin admin = new Admin(config.token(), scaling);
    router.route("/admin/*").handler(admin::authenticate);
    router.get("/admin/http/instances").handler(admin::instances);
    router.put("/admin/http/instances").handler(io.vertx.ext.web.handler.BodyHandler.create().setBodyLimit(4096))
        .handler(admin::scale);
    return router;
  }

  /**
   * Renders the registry on a worker: a scrape formats every series (tens of kB, a few ms, more with many routes and
   * pools), too long to hold an event loop for. Unordered: concurrent scrapes need not queue behind each other.
   */
  private static void scrape(Vertx vertx, Metrics metrics, RoutingContext ctx) {
    vertx.executeBlocking(metrics::scrape, false).onComplete(done -> {
      if (done.failed()) {
        ctx.fail(done.cause());
        return;
      }
      ctx.response().putHeader("Content-Type", PROMETHEUS_TEXT).end(done.result());
    });
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port()));
    return server.requestHandler(withAdmin(router(vertx, metrics, views))).listen()
        .onSuccess(s -> log.info("management server on {}:{}{}", config.host(), s.actualPort(),
            metrics.enabled() ? " (GET /metrics)" : ""));
  }

  /** The port it listens on (the chosen one with {@code management.port=0}); -1 before it listens. */
  public int port() {
    return server == null ? -1 : server.actualPort();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
