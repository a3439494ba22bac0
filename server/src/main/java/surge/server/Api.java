package surge.server;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.Set;
import surge.articles.ArticlesRoutes;
import surge.comments.CommentsRoutes;
import surge.graphql.GraphqlSockets;
import surge.profiles.ProfilesRoutes;
import surge.ratelimit.RateLimitHandler;
import surge.stream.StreamHub;
import surge.stream.StreamRoutes;
import surge.tags.TagsRoutes;
import surge.tags.TagsService;
import surge.users.UsersRoutes;
import surge.web.AuthHandler;
import surge.web.Errors;
import surge.web.HttpCaching;
import surge.web.RequestTimeout;

/**
 * The route table: which feature serves which path. The API is mounted once, at {@code /api}; {@code /api/v1} is an
 * alias of it (see {@link #V1}).
 */
public final class Api {
  /** The versioned prefix clients may use; such a request is routed again as its {@code /api} twin. */
  static final String V1 = "/api/v1";

  private Api() {}

  public static Router router(Vertx vertx, HttpConfig http, TlsConfig tls, Services s, StreamHub hub) {
    var optionalAuth = AuthHandler.optional(s.tokens());
    var requiredAuth = AuthHandler.required(s.tokens());

    Router api = Router.router(vertx);
    if (http.requestTimeoutMs() > 0) api.route().handler(new RequestTimeout(http.requestTimeoutMs()));
    api.route().handler(BodyHandler.create(false).setBodyLimit(http.bodyLimitBytes()));
    // before every route (and before auth: an invalid token is limited by IP; see RateLimitHandler)
    if (s.limiter().config().enabled()) api.route().handler(
        new RateLimitHandler(s.limiter(), s.tokens(), s.edge().limits()::mayForward));
    new UsersRoutes(s.users()).mount(api, requiredAuth);
    new ProfilesRoutes(s.profiles()).mount(api, optionalAuth, requiredAuth);
    new ArticlesRoutes(s.articles(), http.maxPageSize()).mount(api, optionalAuth, requiredAuth);
    new CommentsRoutes(s.comments()).mount(api, optionalAuth, requiredAuth);
    TagsService tags = new TagsService(s.shards(), s.caches());
    new TagsRoutes(tags).mount(api, optionalAuth);
    new StreamRoutes(s.streams(), hub).mount(api, requiredAuth);

    Router root = Router.router(vertx);
    // First, so nothing else has run for the request yet: it starts over as "/api/...", and every handler, the
    // limiter and the metrics label see the one API. Only the request log (ahead of every route) ran already.
    root.route(V1 + "/*").handler(Api::alias);
    root.route().handler(Edge.securityHeaders(tls));
    root.route().handler(cors(http));
    root.route().handler(HttpCaching.policy(http.cacheMaxAgeSeconds()));
    new Health(s.shards(), s.lifecycle()).mount(root);
    OperatorViews.mount(root, OperatorViews.of(s), OperatorViews::directLoopback);
    // GraphQL subscriptions (WebSocket upgrades of GET /graphql) before the body handler, which would read the
    // request the handshake needs; fed by this verticle's hub, counted against the streams' connection cap
    new GraphqlSockets(s.graphql(), s.tokens(), hub, s.streams().config().maxBufferBytes()).mount(root, "/graphql",
        s.limiter().config().enabled() ? new RateLimitHandler(s.limiter(), s.tokens(), s.edge().limits()::mayForward)
            : null);
    // GraphQL beside the REST API: the same timeout, body limit, tokens and limiter (which it charges a query's
    // computed cost instead of one token: surge.graphql.GraphqlEndpoint)
    if (http.requestTimeoutMs() > 0) root.route("/graphql").handler(new RequestTimeout(http.requestTimeoutMs()));
    root.route("/graphql").handler(BodyHandler.create(false).setBodyLimit(http.bodyLimitBytes()));
    s.graphql().mount(root, "/graphql", s.limiter().config().enabled()
        ? new RateLimitHandler(s.limiter(), s.tokens(), s.edge().limits()::mayForward) : null, optionalAuth);
    root.route("/api/*").subRouter(api);
    Errors.install(root);
    return root;
  }

  /** {@code /api/v1/articles?limit=5} → {@code /api/articles?limit=5}, the query kept. */
  private static void alias(RoutingContext ctx) {
    String query = ctx.request().query();
    ctx.reroute("/api" + ctx.request().path().substring(V1.length()) + (query == null ? "" : "?" + query));
  }

  private static CorsHandler cors(HttpConfig http) {
    CorsHandler cors = CorsHandler.create();
    if (!http.corsOrigins().contains("*")) cors.addOrigins(http.corsOrigins());
    return cors
        .allowCredentials(http.corsCredentials())
        .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.OPTIONS))
        .allowedHeaders(Set.of("Authorization", "Content-Type", "X-Requested-With", "X-Request-Id", "Last-Event-ID"))
        // What browser code may read: the request id (to quote in a bug report), rate-limit state, retry hints.
        .exposedHeaders(Set.of("X-Request-Id", "RateLimit", "RateLimit-Policy", "Retry-After"))
        .maxAgeSeconds(86400);
  }
}
