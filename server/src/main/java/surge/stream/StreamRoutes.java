package surge.stream;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import surge.core.ApiError;
import surge.web.AuthHandler;

/**
 * {@code GET /stream}: the signed-in user's live events as Server-Sent Events. Mounted in the API router, so it
 * passes the rate limiter (a stream counts as one read, when it opens) and required auth like any route; it
 * writes its own response, so the ETag/Cache-Control step of ordinary GETs never sees (or buffers) it.
 */
public final class StreamRoutes {
  /** Seconds a client refused for {@code stream.maxConnections} is asked to wait. */
  static final int FULL_RETRY_AFTER_SECONDS = 5;
  private static final int MAX_EVENT_ID_LENGTH = 128;

  private final Streams streams;
  private final StreamHub hub;

  public StreamRoutes(Streams streams, StreamHub hub) {
    this.streams = streams;
    this.hub = hub;
  }

  public void mount(Router api, Handler<RoutingContext> requiredAuth) {
    api.get("/stream").handler(requiredAuth).handler(this::open);
  }

  private void open(RoutingContext ctx) {
    if (!streams.reserve()) {
      ctx.fail(ApiError.unavailable("stream", FULL_RETRY_AFTER_SECONDS));
      return;
    }
    long user = AuthHandler.userId(ctx);
    String lastEventId = lastEventId(ctx.request());
    // Taken now, so events published while the followed authors load are replayed, not lost.
    long arrivedAt = hub.position();
    streams.followees(user)
        .onSuccess(followees -> onHub(() -> hub.open(ctx.request(), user, followees, lastEventId, arrivedAt)))
        .onFailure(failure -> {
          streams.release();
          ctx.fail(failure);
        });
  }

  /** Database callbacks normally come back on the request's loop; if one does not, hop there: the hub is single-threaded. */
  private void onHub(Runnable step) {
    if (Vertx.currentContext() == hub.context()) step.run();
    else hub.context().runOnContext(v -> step.run());
  }

  /** {@code Last-Event-ID} header, else the {@code lastEventId} query parameter (for clients that cannot set headers). */
  static String lastEventId(HttpServerRequest request) {
    String id = request.getHeader("Last-Event-ID");
    if (id == null || id.isBlank()) id = request.getParam("lastEventId");
    if (id == null) return null;
    id = id.trim();
    if (id.isEmpty()) return null;
    return id.length() > MAX_EVENT_ID_LENGTH ? id.substring(0, MAX_EVENT_ID_LENGTH) : id;
  }
}
