package surge.web;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.VertxException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.core.json.DecodeException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import surge.core.ApiError;

/**
 * The one error path. Every failure of every route, and every request no route takes, ends here
 * and leaves as a RealWorld error body. Only unexpected failures are logged, once, with the trace.
 */
public final class Errors {
  private static final Logger log = LoggerFactory.getLogger(Errors.class);
  private static final String INTERNAL = "{\"errors\":{\"server\":[\"internal error\"]}}";

  private Errors() {}

  public static void install(Router root) {
    root.route().failureHandler(Errors::render);
    // route matching itself can fail, e.g. a path parameter that is not valid percent-encoding
    root.errorHandler(400, ctx -> send(ctx, ApiError.badRequest("request", "is malformed")));
    root.errorHandler(404, ctx -> send(ctx, ApiError.of(404, "route", "not found")));
    root.errorHandler(405, ctx -> send(ctx, ApiError.of(405, "method", "not allowed")));
  }

  /** Requests that HTTP decoding refused (URI or headers too long, bad syntax) never reach a router. */
  public static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status = cause instanceof TooLongHttpLineException ? 414
        : cause instanceof TooLongHttpHeaderException ? 431 : 400;
    ApiError error = byStatus(status);
    HttpServerResponse response = request.response().setStatusCode(status);
    // the connection's framing is unreliable after a decoding failure: answer, then close it
    response.putHeader(HttpHeaders.CONTENT_TYPE, Respond.JSON_UTF8).end(error.body().toBuffer())
        .onComplete(done -> request.connection().close());
  }

  static void render(RoutingContext ctx) {
    if (ctx.response().ended()) return;
    // The client went (or the edge closed a client too slow with its body): nobody is left to answer, and no bug.
    if (ctx.failure() instanceof HttpClosedException || ctx.response().closed()) return;
    ApiError error = classify(ctx.failure(), ctx.statusCode());
    if (error == null) {
      log.error("unhandled failure on {} {}", ctx.request().method(), ctx.normalizedPath(), ctx.failure());
      if (ctx.response().headWritten()) {
        ctx.response().reset();
        return;
      }
      Respond.write(ctx.response().setStatusCode(500), INTERNAL);
      return;
    }
    send(ctx, error);
  }

  /** Maps a failure to what the client should see; null means a bug (answered with a 500). */
  public static ApiError classify(Throwable failure, int status) {
    if (failure instanceof ApiError e) return e;
    if (failure instanceof DecodeException) return ApiError.badRequest("body", "is not valid JSON");
    if (failure instanceof HttpException e) return byStatus(e.getStatusCode());
    if (isUnavailable(failure)) return ApiError.unavailable("database", 1);
    if (isDataException(failure)) return ApiError.invalid("request", "contains a value that cannot be stored");
    if (failure == null) return byStatus(status);
    // A handler that failed with a client-error status said what it meant (e.g. the CORS handler's 403 for an
    // origin not allowed); the exception is its detail, not a bug.
    if (status >= 400 && status < 500) return byStatus(status);
    return null;
  }

  private static ApiError byStatus(int status) {
    return switch (status) {
      case 400 -> ApiError.badRequest("request", "is malformed");
      case 401 -> ApiError.missingToken();
      case 403 -> ApiError.of(403, "request", "is forbidden");
      case 404 -> ApiError.of(404, "route", "not found");
      case 405 -> ApiError.of(405, "method", "not allowed");
      case 413 -> ApiError.of(413, "body", "is too large");
      case 414 -> ApiError.of(414, "uri", "is too long");
      case 431 -> ApiError.of(431, "headers", "are too large");
      default -> status >= 400 && status < 500 ? ApiError.of(status, "request", "is not acceptable") : null;
    };
  }

  /**
   * Database down or saturated: fail fast with 503 rather than a 500. Saturated means the pool's wait queue is
   * full ({@code db.poolMaxWaitQueue}: refused at once) or, with a pool acquisition timeout, no connection came in time
   * (the pool fails the wait with a bare "Timeout", or "Timeout waiting for connection" while connecting).
   */
  private static boolean isUnavailable(Throwable failure) {
    if (failure instanceof ConnectException || failure instanceof ClosedConnectionException
        || failure instanceof TimeoutException || failure instanceof ConnectionPoolTooBusyException) return true;
    if (failure instanceof NoStackTraceThrowable && "Timeout".equals(failure.getMessage())) return true;
    if (failure instanceof VertxException && "Timeout waiting for connection".equals(failure.getMessage())) return true;
    if (failure instanceof PgException pg) {
      String code = pg.getSqlState();
      return code != null && (code.startsWith("08") || code.equals("53300") || code.equals("57P01") || code.equals("57P03"));
    }
    return failure != null && failure.getMessage() != null && failure.getMessage().contains("wait queue is full");
  }

  /**
   * PostgreSQL class 22 (data exception: e.g. a NUL byte or a number out of range) comes from a
   * client's value that slipped past validation: the client's fault, so 422, not 500.
   */
  private static boolean isDataException(Throwable failure) {
    return failure instanceof PgException pg && pg.getSqlState() != null && pg.getSqlState().startsWith("22");
  }

  static void send(RoutingContext ctx, ApiError error) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      response.reset();
      return;
    }
    response.setStatusCode(error.status());
    if (error.retryAfter() != null) response.putHeader(HttpHeaders.RETRY_AFTER, error.retryAfter());
    Respond.write(response, error.body().toBuffer());
  }
}
