package surge.server;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
  /** Hands each node running on {@code http.port=0} its own key for a shared random port (see {@link #bindPort}). */
  private static final AtomicInteger RANDOM_PORT_KEYS = new AtomicInteger();
  private final HttpConfig http;
  private final TlsConfig tls;
  private final int bindPort;
  private final Services services;
  private final int graceMs;
  private final LogConfig log;
  private HttpServer server;
  private volatile boolean stopping;
  private HttpServer redirect;
  private StreamHub hub;
  private ConnectionTracker connections;

  /**
   * @param bindPort what its server binds: {@link #bindPort} of {@code http.port}, the same for every instance of a node
   * @param graceMs how long {@link #stop} lets requests in flight finish ({@code shutdown.graceMs})
   * @param log request ids and the access log ({@code log.*})
   */
  public HttpVerticle(HttpConfig http, TlsConfig tls, int bindPort, Services services, int graceMs, LogConfig log) {
    this.http = http;
    this.tls = tls;
    this.bindPort = bindPort;
    this.services = services;
    this.graceMs = graceMs;
    this.log = log;
  }

  /**
   * The port a node's HTTP verticles bind for {@code http.port}. Port 0 (any free port, as tests ask for) would give each
   * instance a port of its own; Vert.x shares one random port among the servers that bind the same negative number, so
   * a node on port 0 binds a negative number no other node of this JVM uses, and its instances share one port.
   */
  public static int bindPort(int configured) {
    return configured != 0 ? configured : -RANDOM_PORT_KEYS.incrementAndGet();
  }

  /** The port this instance listens on (the chosen one for {@code http.port=0}); -1 before it listens. */
  public int port() {
    return server == null ? -1 : server.actualPort();
  }

  @Override
  public Future<?> start() {
    hub = new StreamHub(vertx, services.streams(), services.membership());
    server = vertx.createHttpServer(Edge.serverOptions(http, tls, services.edge().limits()).setPort(bindPort));
    Router router = Api.router(vertx, http, tls, services, hub);
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
    if (!tls.enabled() || tls.redirectPort() == 0) return api;
    redirect = vertx.createHttpServer(new HttpServerOptions().setHost(http.host()).setPort(tls.redirectPort()));
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
