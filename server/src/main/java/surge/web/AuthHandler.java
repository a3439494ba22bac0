package surge.web;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import surge.auth.Tokens;
import surge.core.ApiError;
import surge.core.Viewer;

/**
 * Reads {@code Authorization: Token <jwt>} (or {@code Bearer <jwt>}) and puts the user id on the
 * context. Required mode answers 401 without a valid token; optional mode lets anonymous requests
 * through but still refuses a token that is present and invalid, so a client learns its token expired.
 */
public final class AuthHandler implements Handler<RoutingContext> {
  private static final String USER_ID = "surge.userId";
  private static final String TOKEN = "surge.token";
  private static final String VIEWER = "surge.viewer";
  private static final String VERIFICATION = "surge.verification";

  private final Tokens tokens;
  private final boolean required;

  private AuthHandler(Tokens tokens, boolean required) {
    this.tokens = tokens;
    this.required = required;
  }

  public static AuthHandler required(Tokens tokens) { return new AuthHandler(tokens, true); }
  public static AuthHandler optional(Tokens tokens) { return new AuthHandler(tokens, false); }

  /** The authenticated user's id, or null for an anonymous request. */
  public static Long userId(RoutingContext ctx) {
    return ctx.get(USER_ID);
  }

  /** Who the request acts for; one instance per request (it carries read-your-writes state). */
  public static Viewer viewer(RoutingContext ctx) {
    Viewer viewer = ctx.get(VIEWER);
    if (viewer == null) {
      HttpMethod method = ctx.request().method();
      viewer = Viewer.of(userId(ctx), !method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD));
      ctx.put(VIEWER, viewer);
    }
    return viewer;
  }

  /** The token the request presented (echoed back by GET/PUT /user). */
  public static String token(RoutingContext ctx) {
    return ctx.get(TOKEN);
  }

  /**
   * The verification of the request's token, made once per request and shared by everyone who asks (the rate limiter
   * before routing, this handler after): the user id, or a failure saying why. Null when no token was presented.
   */
  public static Future<Long> verification(RoutingContext ctx, Tokens tokens) {
    Future<Long> known = ctx.get(VERIFICATION);
    if (known != null) return known;
    String token = tokenOf(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
    if (token == null) return null;
    Future<Long> verified = tokens.verify(token);
    ctx.put(VERIFICATION, verified);
    return verified;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Future<Long> verification = verification(ctx, tokens);
    if (verification == null) {
      if (required) ctx.fail(ApiError.missingToken());
      else ctx.next();
      return;
    }
    String token = tokenOf(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
    verification.onComplete(result -> {
      if (result.failed()) {
        ctx.fail(result.cause()); // a 401 ApiError saying why, or a lookup failure the error path makes a 503
        return;
      }
      ctx.put(USER_ID, result.result());
      ctx.put(TOKEN, token);
      ctx.next();
    });
  }

  /** The token of an {@code Authorization: Token|Bearer <jwt>} header, or null (also used by the rate limiter). */
  public static String tokenOf(String header) {
    if (header == null) return null;
    int space = header.indexOf(' ');
    if (space <= 0) return null;
    String scheme = header.substring(0, space);
    if (!scheme.equalsIgnoreCase("Token") && !scheme.equalsIgnoreCase("Bearer")) return null;
    String token = header.substring(space + 1).trim();
    return token.isEmpty() ? null : token;
  }
}
