package surge.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import surge.Services;
import surge.config.SurgeConfig;

/**
 * Serves the API on one event loop. Deploy one instance per event loop: they share the listening
 * port and the node's services, and hold no state of their own.
 */
public final class HttpVerticle extends VerticleBase {
  private final SurgeConfig.Http http;
  private final Services services;
  private HttpServer server;

  public HttpVerticle(SurgeConfig.Http http, Services services) {
    this.http = http;
    this.services = services;
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(new HttpServerOptions()
        .setHost(http.host())
        .setPort(http.port())
        .setTcpNoDelay(true)
        .setTcpFastOpen(true));
    return server.invalidRequestHandler(Errors::invalidRequest)
        .requestHandler(Api.router(vertx, http, services)).listen();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
