package surge.server;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;
import surge.config.SurgeConfig;
import surge.edge.ConnectionTracker;
import surge.observability.LogConfig;
import surge.observability.RequestLog;
import surge.stream.StreamHub;
import surge.web.Errors;

/**
 * Serves the API on one event loop. Deploy one instance per event loop: they share the listening
 * port and the node's services. The only state of their own is the live streams they serve
 * ({@link StreamHub}: the connections, a replay ring and a heartbeat timer, all on this loop).
 */
public final class HttpVerticle extends VerticleBase {
  private final SurgeConfig.Http http;
  private final Services services;
  private final int graceMs;
  private final LogConfig log;
  private HttpServer server;
  private volatile boolean stopping;
  private HttpServer redirect;
  private StreamHub hub;
  private ConnectionTracker connections;

  /**
   * @param graceMs how long {@link #stop} lets requests in flight finish ({@code shutdown.graceMs})
   * @param log request ids and the access log ({@code log.*})
   */
  public HttpVerticle(SurgeConfig.Http http, Services services, int graceMs, LogConfig log) {
    this.http = http;
    this.services = services;
    this.graceMs = graceMs;
    this.log = log;
  }

  @Override
  public Future<?> start() {
    hub = new StreamHub(vertx, services.streams(), services.membership());
    server = vertx.createHttpServer(Edge.serverOptions(http, services.edge().limits()));
    Router router = Api.router(vertx, http, services, hub);
    RequestLog.install(vertx, router, log); // request ids and the access log, ahead of every route
    router.route().order(Integer.MIN_VALUE).handler(this::closeWhenStopping);
    connections = new ConnectionTracker(services.edge());
    connections.start();
    server.connectionHandler(connections::accepted)
        .exceptionHandler(connections::failedBeforeAccept)
        .invalidRequestHandler(Errors::invalidRequest)
        .requestHandler(request -> {
          connections.request(request);
          router.handle(request);
        });
    Future<HttpServer> api = hub.start().compose(subscribed -> server.listen())
        .onSuccess(listening -> connections.gate(listening));
    if (!http.tls().enabled() || http.tls().redirectPort() == 0) return api;
    redirect = vertx.createHttpServer(new HttpServerOptions().setHost(http.host()).setPort(http.tls().redirectPort()));
    return api.compose(listening -> redirect.requestHandler(Edge.redirectToHttps(listening.actualPort())).listen());
  }

  /**
   * Once this instance is stopping, an HTTP/1.x response tells the client not to reuse its connection
   * ({@code Connection: close}): the connection closes after it, and a client that sent its next request on it at
   * that moment would see it closed under that request.
   */
  private void closeWhenStopping(io.vertx.ext.web.RoutingContext ctx) {
    ctx.addHeadersEndHandler(v -> {
      if (stopping && ctx.request().version() != io.vertx.core.http.HttpVersion.HTTP_2) {
        ctx.response().putHeader(io.vertx.core.http.HttpHeaders.CONNECTION, io.vertx.core.http.HttpHeaders.CLOSE);
      }
    });
    ctx.next();
  }

  /**
   * Stops listening, lets the requests in flight finish (HTTP/1.x connections close after their current response,
   * HTTP/2 ones get GOAWAY) and closes what is still open after {@code shutdown.graceMs}.
   */
  @Override
  public Future<?> stop() {
    stopping = true;
    // Streams first: they end cleanly (a last chunk) and are no longer in flight, so the server's graceful shutdown
    // does not wait its whole grace period for requests that never finish.
    Future<Void> streams = hub == null ? Future.succeededFuture() : hub.stop();
    Future<Void> plain = streams.compose(done -> redirect == null ? Future.succeededFuture() : redirect.close());
    return plain.compose(done -> server == null ? Future.succeededFuture()
        : server.shutdown(graceMs, TimeUnit.MILLISECONDS))
        .onComplete(done -> {
          if (connections != null) connections.stop();
        });
  }
}
