package surge.http;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;
import surge.auth.Tokens;
import surge.cache.Caches;
import surge.cluster.ClusterMembership;
import surge.db.Shards;
import surge.events.RelayStats;
import surge.stream.Streams;

/**
 * {@code /health/live} (the process answers), {@code /health/ready} (the database answers too, and the node is
 * not shutting down) and
 * {@code /health/shards}, the operator view of physical shards, replicas, lag and query counters,
 * {@code /health/events}, the outbox relay's view (backlog rows and age per shard, active here or not),
 * {@code /health/cache}, {@code /health/cluster} (members as this node sees them, its node id, merges),
 * {@code /health/stream} (the live streams' counters) and {@code /health/auth} (the external JWK set: source, last
 * load, key count, last error).
 * The operator view names hosts and ports, so it answers loopback connections only (404 otherwise)
 * until the management port exists.
 */
final class Health {
  private static final JsonObject UP = new JsonObject().put("status", "UP");
  private final Shards db;
  private final Caches caches;
  private final RelayStats relay;
  private final ClusterMembership membership;
  private final surge.Lifecycle lifecycle;
  private final Streams streams;
  private final Tokens tokens;

  Health(Shards db, Caches caches, RelayStats relay, ClusterMembership membership, surge.Lifecycle lifecycle,
         Streams streams, Tokens tokens) {
    this.db = db;
    this.caches = caches;
    this.relay = relay;
    this.membership = membership;
    this.lifecycle = lifecycle;
    this.streams = streams;
    this.tokens = tokens;
  }

  void mount(Router root) {
    root.get("/health/live").handler(Respond.ok(ctx -> Future.succeededFuture(UP)));
    root.get("/health/ready").handler(Respond.ok(ctx -> lifecycle.draining()
        ? Future.failedFuture(ApiError.unavailable("node", 5)) // shutting down: send traffic elsewhere
        : db.ping()
            .timeout(2, TimeUnit.SECONDS)
            .map(ok -> UP)
            .recover(failure -> Future.failedFuture(ApiError.unavailable("database", 1)))));
    root.get("/health/shards").handler(Respond.ok(ctx -> !loopback(ctx)
        ? Future.failedFuture(ApiError.notFound("route"))
        : Future.succeededFuture(db.status())));
    root.get("/health/events").handler(Respond.ok(ctx -> !loopback(ctx)
        ? Future.failedFuture(ApiError.notFound("route"))
        : Future.succeededFuture(relay.status(db.all().stream().map(s -> s.name()).toList()))));
    root.get("/health/cache").handler(Respond.ok(ctx -> !loopback(ctx)
        ? Future.failedFuture(ApiError.notFound("route"))
        : Future.succeededFuture(caches.status())));
    root.get("/health/cluster").handler(Respond.ok(ctx -> !loopback(ctx)
        ? Future.failedFuture(ApiError.notFound("route"))
        : Future.succeededFuture(membership.status())));
    root.get("/health/stream").handler(Respond.ok(ctx -> !loopback(ctx)
        ? Future.failedFuture(ApiError.notFound("route"))
        : Future.succeededFuture(streams.status())));
    root.get("/health/auth").handler(Respond.ok(ctx -> !loopback(ctx)
        ? Future.failedFuture(ApiError.notFound("route"))
        : Future.succeededFuture(new JsonObject().put("jwks", tokens.keySetStatus()))));
  }

  private static boolean loopback(RoutingContext ctx) {
    SocketAddress peer = ctx.request().connection().remoteAddress();
    String host = peer == null ? null : peer.hostAddress();
    return host != null && (host.equals("127.0.0.1") || host.equals("::1") || host.equals("0:0:0:0:0:0:0:1"));
  }
}
