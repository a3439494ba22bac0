package surge.graphql;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.LoggerFactory;
import surge.auth.Tokens;
import surge.observability.RequestIds;
import surge.ratelimit.RateLimitHandler;
import surge.stream.LiveTap;
import surge.stream.StreamHub;

/**
 * {@code GET /graphql} with {@code Upgrade: websocket}: subscriptions over the graphql-transport-ws protocol, one
 * {@link GraphqlSocket} per connection, fed by this HTTP verticle's {@link StreamHub}. The upgrade is an ordinary
 * request of the router first: request id, access log and HTTP metrics, security headers, and one {@code reads}
 * token of the rate limiter, like every REST request; then it takes one of the node's live-connection slots
 * ({@code stream.maxConnections}, shared with the SSE streams) or is answered 503.
 *
 * <p>Mounted before the body handler of {@code /graphql}: an upgrade has no body, and reading one would consume
 * the request the WebSocket handshake needs.
 */
public final class GraphqlSockets {
  /** The subprotocol; the server options offer it in the handshake. */
  public static final String PROTOCOL = "graphql-transport-ws";
  static final int FULL_RETRY_AFTER_SECONDS = 5;

  private final GraphqlEndpoint endpoint;
  private final Tokens tokens;
  private final StreamHub hub;
  private final int maxBufferBytes;

  /** {@code maxBufferBytes}: unsent bytes a socket may hold before it is dropped as too slow ({@code stream.maxBufferBytes}). */
  public GraphqlSockets(GraphqlEndpoint endpoint, Tokens tokens, StreamHub hub, int maxBufferBytes) {
    this.endpoint = endpoint;
    this.tokens = tokens;
    this.hub = hub;
    this.maxBufferBytes = maxBufferBytes;
  }

  /** {@code limiter}: null when rate limits are off. */
  public void mount(Router root, String path, RateLimitHandler limiter) {
    // one handler: a route's next handler would also run for the plain GETs this one passes on
    root.get(path).handler(ctx -> {
      if (!isUpgrade(ctx.request())) {
        ctx.next();
        return;
      }
      // held until the upgrade: the request's end must not pass while the limiter is asked, or it counts as read
      ctx.request().pause();
      if (limiter == null) upgrade(ctx, null);
      else admit(ctx, limiter);
    });
  }

  static boolean isUpgrade(HttpServerRequest request) {
    String upgrade = request.getHeader(HttpHeaders.UPGRADE);
    return upgrade != null && upgrade.equalsIgnoreCase("websocket");
  }

  private static boolean offersProtocol(HttpServerRequest request) {
    String offered = request.getHeader("Sec-WebSocket-Protocol");
    if (offered == null) return false;
    for (String p : offered.split(",")) if (p.trim().equals(PROTOCOL)) return true;
    return false;
  }

  /** One {@code reads} token for the upgrade, as for every REST request; 429 before any socket exists. */
  private void admit(RoutingContext ctx, RateLimitHandler limiter) {
    limiter.principal(ctx)
        .compose(principal -> limiter.limiter().acquire(limiter.limiter().config().reads(), principal))
        .onSuccess(d -> {
          RateLimitHandler.headers(ctx.response(), java.util.List.of(d));
          if (d.allowed()) {
            upgrade(ctx, limiter);
            return;
          }
          ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(d.retryAfterSeconds()));
          GraphqlErrors.send(ctx, 429, "RATE_LIMITED", "limit exceeded, retry in " + d.retryAfterSeconds() + " s", null);
        })
        .onFailure(ctx::fail);
  }

  private void upgrade(RoutingContext ctx, RateLimitHandler limiter) {
    if (!offersProtocol(ctx.request())) {
      GraphqlErrors.send(ctx, 400, "BAD_REQUEST", "offer the " + PROTOCOL + " subprotocol (Sec-WebSocket-Protocol)", null);
      return;
    }
    String clientIp = limiter == null ? null : limiter.clientIp(ctx.request());
    GraphqlSocket socket = new GraphqlSocket(endpoint, tokens, limiter == null ? null : limiter.limiter(), clientIp,
        endpoint.limits(), maxBufferBytes);
    LiveTap tap = hub.tap(socket::serverStopping, socket::heartbeat);
    if (tap == null) {
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Integer.toString(FULL_RETRY_AFTER_SECONDS));
      GraphqlErrors.send(ctx, 503, "UNAVAILABLE", "the node holds all the live connections it may, retry later", null);
      return;
    }
    RequestIds ids = RequestIds.current();
    String requestId = ids == null ? null : ids.requestId();
    Future.succeededFuture().compose(v -> ctx.request().toWebSocket())
        .onSuccess(ws -> socket.open(ws, tap, hub, ctx.vertx(), requestId))
        .onFailure(failure -> {
          LoggerFactory.getLogger(GraphqlSockets.class).debug("WebSocket handshake failed: {}", failure.toString());
          tap.close();
          if (!ctx.response().ended() && !ctx.response().closed()) {
            GraphqlErrors.send(ctx, 400, "BAD_REQUEST", "the WebSocket handshake failed", null);
          }
        });
  }
}
