package surge.server;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.Set;
import surge.articles.ArticlesRoutes;
import surge.comments.CommentsRoutes;
import surge.config.SurgeConfig;
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

/** The route table: which feature serves which path. {@code /api} and {@code /api/v1} are the same API. */
public final class Api {
  private Api() {}

  public static Router router(Vertx vertx, SurgeConfig.Http http, Services s, StreamHub hub) {
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
    root.route().handler(Edge.securityHeaders(http.tls()));
    root.route().handler(cors(http));
    root.route().handler(HttpCaching.policy(s.caches().httpMaxAgeSeconds()));
    new Health(s.shards(), s.lifecycle()).mount(root);
    OperatorViews.mount(root, OperatorViews.of(s), OperatorViews::directLoopback);
    // GraphQL beside the REST API: the same timeout, body limit, tokens and limiter (which it charges a query's
    // computed cost instead of one token: surge.graphql.GraphqlEndpoint)
    if (http.requestTimeoutMs() > 0) root.route("/graphql").handler(new RequestTimeout(http.requestTimeoutMs()));
    root.route("/graphql").handler(BodyHandler.create(false).setBodyLimit(http.bodyLimitBytes()));
    s.graphql().mount(root, "/graphql", s.limiter().config().enabled()
        ? new RateLimitHandler(s.limiter(), s.tokens(), s.edge().limits()::mayForward) : null, optionalAuth);
    // "/api/*" first: a sub-router that finds no route hands its 404/405 to the parent, and the
    // last one tried wins. In this order "/api/v1/..." ends in the v1 mount, so its 405 is kept.
    root.route("/api/*").subRouter(api);
    root.route("/api/v1/*").subRouter(api);
    Errors.install(root);
    return root;
  }

  private static CorsHandler cors(SurgeConfig.Http http) {
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
