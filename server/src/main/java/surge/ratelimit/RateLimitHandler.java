package surge.ratelimit;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import surge.auth.Tokens;
import surge.core.ApiError;
import surge.web.AuthHandler;

/**
 * Applies the rate-limit policies to an API request, after the body is read and before any route.
 *
 * <ul>
 *   <li>GET/HEAD: {@code reads}; POST/PUT/DELETE/PATCH: {@code writes}; {@code POST /users} and
 *       {@code POST /users/login}: {@code auth} per client IP instead, and login also {@code login} per account
 *       e-mail (read from the body; a body that is not JSON or has no e-mail skips that policy and is
 *       answered by the route's validation). OPTIONS is not limited.</li>
 *   <li>Principal: the user id of a valid token (found by {@link Tokens#verify}, as for authentication, so an external
 *       issuer's token mapped to a user by e-mail counts as that user), else the client IP (the TCP peer, or the
 *       right-most entry of {@code ratelimit.trustedProxyHeader}). A request with an invalid token is limited by IP, so a 429 can
 *       pre-empt its 401: the limiter runs before any other work, which is what bounds token guessing.</li>
 *   <li>Every limited response carries {@code RateLimit-Policy} and {@code RateLimit}
 *       (draft-ietf-httpapi-ratelimit-headers-11, one list item per policy applied); a rejection is 429 with
 *       {@code Retry-After} and {@code {"errors":{"rate":["limit exceeded, retry in N s"]}}}.</li>
 * </ul>
 */
public final class RateLimitHandler implements Handler<RoutingContext> {
  private static final CharSequence POLICY = HttpHeaders.createOptimized("RateLimit-Policy");
  private static final CharSequence RATE_LIMIT = HttpHeaders.createOptimized("RateLimit");
  private static final CharSequence JSON_UTF8 = HttpHeaders.createOptimized("application/json; charset=utf-8");

  private final Limiter limiter;
  private final Tokens tokens;
  private final RateLimits config;
  private final String readsPolicy;
  private final String writesPolicy;
  private final Predicate<String> forwarder;

  /**
   * {@code forwarder}: whether a TCP peer may name the client in {@code ratelimit.trustedProxyHeader} (the addresses of
   * {@code edge.trustedProxies}, or anyone when that list is empty); another peer's header is ignored.
   */
  public RateLimitHandler(Limiter limiter, Tokens tokens, Predicate<String> forwarder) {
    this.forwarder = forwarder;
    this.limiter = limiter;
    this.tokens = tokens;
    this.config = limiter.config();
    this.readsPolicy = config.reads().policyItem();
    this.writesPolicy = config.writes().policyItem();
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    HttpMethod method = request.method();
    boolean read = method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
    if (!read && !method.equals(HttpMethod.POST) && !method.equals(HttpMethod.PUT) && !method.equals(HttpMethod.DELETE)
        && !method.equals(HttpMethod.PATCH)) {
      ctx.next();
      return;
    }
    String ip = clientIp(request, config.trustedProxyHeader(), forwarder);
    if (method.equals(HttpMethod.POST)) {
      String path = apiPath(request.path());
      if (path.equals("/users") || path.equals("/users/login")) {
        authAttempt(ctx, ip, path.length() > 6);
        return;
      }
    }
    Policy policy = read ? config.reads() : config.writes();
    Future<Long> verification = AuthHandler.verification(ctx, tokens);
    if (verification == null) {
      single(ctx, policy, "ip:" + ip);
      return;
    }
    verification.onComplete(user -> single(ctx, policy, user.succeeded() ? "u:" + user.result() : "ip:" + ip));
  }

  /**
   * Whom a request is limited as, the way {@link #handle} decides it: {@code u:<user id>} for a valid token, else
   * {@code ip:<client address>}. For routes that spend more than one token (GraphQL's computed cost).
   */
  public Future<String> principal(RoutingContext ctx) {
    String ip = "ip:" + clientIp(ctx.request());
    Future<Long> verification = AuthHandler.verification(ctx, tokens);
    if (verification == null) return Future.succeededFuture(ip);
    return verification.transform(user -> Future.succeededFuture(user.succeeded() ? "u:" + user.result() : ip));
  }

  /** The client address as the limiter sees it (the peer, or the trusted proxy header's right-most entry). */
  public String clientIp(HttpServerRequest request) {
    return clientIp(request, config.trustedProxyHeader(), forwarder);
  }

  public Limiter limiter() {
    return limiter;
  }

  /** {@code RateLimit-Policy} and {@code RateLimit}, one list item per policy's last decision. */
  public static void headers(HttpServerResponse response, java.util.Collection<Decision> decisions) {
    StringBuilder policies = new StringBuilder();
    StringBuilder items = new StringBuilder();
    for (Decision d : decisions) {
      if (policies.length() > 0) {
        policies.append(", ");
        items.append(", ");
      }
      policies.append(d.policy().policyItem());
      items.append(d.item());
    }
    if (policies.length() > 0) response.putHeader(POLICY, policies.toString()).putHeader(RATE_LIMIT, items.toString());
  }

  private void single(RoutingContext ctx, Policy policy, String principal) {
    Decision local = limiter.tryLocal(policy, principal);
    if (local != null) apply(ctx, policy, local);
    else limiter.acquire(policy, principal).onComplete(done -> apply(ctx, policy, done.result()));
  }

  private void apply(RoutingContext ctx, Policy policy, Decision d) {
    HttpServerResponse response = ctx.response();
    response.putHeader(POLICY, policy == config.reads() ? readsPolicy : policy == config.writes() ? writesPolicy
        : policy.policyItem());
    response.putHeader(RATE_LIMIT, d.item());
    if (d.allowed()) ctx.next();
    else reject(ctx, d);
  }

  private void authAttempt(RoutingContext ctx, String ip, boolean login) {
    String email = login ? email(ctx) : null;
    List<Decision> decisions = new ArrayList<>(2);
    limiter.acquire(config.auth(), "ip:" + ip)
        .compose(d -> {
          decisions.add(d);
          return d.allowed() && email != null ? limiter.acquire(config.login(), "e:" + email) : Future.succeededFuture(null);
        })
        .onComplete(done -> {
          if (done.result() != null) decisions.add(done.result());
          Decision refused = null;
          for (Decision d : decisions) if (!d.allowed() && refused == null) refused = d;
          headers(ctx.response(), decisions);
          if (refused == null) ctx.next();
          else reject(ctx, refused);
        });
  }

  /** Through the one error path, which writes the body and {@code Retry-After}; the RateLimit headers are set. */
  private static void reject(RoutingContext ctx, Decision d) {
    if (!ctx.response().ended()) ctx.fail(ApiError.rateLimited(d.retryAfterSeconds()));
  }

  /** The account e-mail of a login body, lower-cased; null when the body is not the expected JSON. */
  static String email(RoutingContext ctx) {
    try {
      JsonObject body = ctx.body().asJsonObject();
      Object user = body == null ? null : body.getValue("user");
      Object email = user instanceof JsonObject u ? u.getValue("email") : null;
      if (!(email instanceof String s) || s.isBlank() || s.length() > 320) return null;
      return s.trim().toLowerCase(Locale.ROOT);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** {@code /api/users} → {@code /users} ({@code /api/v1/...} arrives here as its {@code /api} twin). */
  static String apiPath(String path) {
    if (path == null) return "";
    if (path.startsWith("/api/")) return trimSlash(path.substring(4));
    return trimSlash(path);
  }

  private static String trimSlash(String path) {
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  /**
   * The client address: with a trusted proxy header, its right-most non-empty entry — the address the
   * proxy itself saw and appended; entries to its left were sent by the client and are not trusted.
   */
  static String clientIp(HttpServerRequest request, String trustedHeader, Predicate<String> forwarder) {
    SocketAddress peer = request.remoteAddress();
    String host = peer == null ? null : peer.hostAddress();
    if (!trustedHeader.isEmpty() && forwarder.test(host)) {
      // The last line of the header, not the first: a proxy that adds a line of its own (HAProxy's forwardfor) leaves
      // the client's forged lines above it.
      java.util.List<String> lines = request.headers().getAll(trustedHeader);
      String hop = lines.isEmpty() ? null : rightMost(lines.get(lines.size() - 1));
      if (hop != null) return hop;
    }
    return host == null ? "unknown" : host;
  }

  static String rightMost(String header) {
    if (header == null) return null;
    int end = header.length();
    while (end > 0) {
      int comma = header.lastIndexOf(',', end - 1);
      String hop = header.substring(comma + 1, end).trim();
      if (!hop.isEmpty()) return hop.length() > 64 ? hop.substring(0, 64) : hop;
      end = comma < 0 ? 0 : comma;
    }
    return null;
  }
}
