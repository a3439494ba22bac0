package surge.server;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import surge.core.ApiError;
import surge.web.Respond;

/**
 * The node's operator views, {@code GET /health/<name>}: {@code shards} (physical shards, replicas, lag, counters,
 * read-your-writes marks), {@code events} (the outbox relay: backlog per shard, active here or not, Kafka breaker), {@code timeline}
 * (trust, the consumer's lag, how feeds were served),
 * {@code cache}, {@code ratelimit}, {@code cluster} (members as this node sees them), {@code stream} (live streams),
 * {@code edge} (client connections by state, the connection budget, refusals and closings by reason) and {@code auth} (the external JWK set). They name hosts, ports and internal state, so they are for operators only.
 *
 * <p>Served on the management server, whose bind address is the guard ({@code management.host}, loopback by default),
 * and, for a shell on the node itself, on the API port to direct loopback connections: a request that came through a
 * proxy ({@code Forwarded}, {@code X-Forwarded-For}, {@code X-Real-IP}) is refused there even from 127.0.0.1, since a
 * reverse proxy on the same host would otherwise hand the views to the Internet.
 */
public final class OperatorViews {
  private static final String[] PROXY_HEADERS = {"Forwarded", "X-Forwarded-For", "X-Real-IP"};

  private OperatorViews() {}

  /** Name → current view; evaluated per request on the calling event loop (each is an in-memory snapshot). */
  public static Map<String, Supplier<JsonObject>> of(Services s) {
    Map<String, Supplier<JsonObject>> views = new LinkedHashMap<>();
    views.put("shards", s.shards()::status);
    views.put("events", () -> s.relayStats().status(s.shards().all().stream().map(p -> p.name()).toList()));
    views.put("cache", s.caches()::status);
    views.put("ratelimit", s.limiter()::status);
    views.put("cluster", s.membership()::status);
    views.put("stream", s.streams()::status);
    views.put("timeline", () -> s.timelines() == null ? new JsonObject().put("enabled", false)
        : s.timelines().stats().status().put("enabled", true).put("breaker", s.timelines().breaker().status()));
    views.put("edge", s.edge()::status);
    views.put("auth", () -> new JsonObject().put("jwks", s.tokens().keySetStatus())
        .put("verifiedTokens", s.tokens().verifiedTokensStatus()));
    return views;
  }

  /** Mounts every view at {@code GET /health/<name>}; a request {@code allowed} refuses gets the API's 404. */
  public static void mount(Router router, Map<String, Supplier<JsonObject>> views, Predicate<RoutingContext> allowed) {
    views.forEach((name, view) -> router.get("/health/" + name).handler(Respond.ok(ctx -> allowed.test(ctx)
        ? Future.succeededFuture(view.get())
        : Future.failedFuture(ApiError.notFound("route")))));
  }

  /** The API port's guard: a loopback peer that is not a proxy forwarding someone else's request. */
  public static boolean directLoopback(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    SocketAddress peer = request.connection().remoteAddress();
    String host = peer == null ? null : peer.hostAddress();
    boolean loopback = host != null && (host.equals("127.0.0.1") || host.equals("::1") || host.equals("0:0:0:0:0:0:0:1"));
    if (!loopback) return false;
    for (String header : PROXY_HEADERS) {
      if (request.headers().contains(header)) return false;
    }
    return true;
  }
}
