package surge.web;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/** Adapts feature handlers ({@code RoutingContext -> Future<JsonObject>}) to routes with one error path. */
public final class Respond {
  /** Pre-encoded once: written on every response. */
  static final CharSequence JSON_UTF8 = HttpHeaders.createOptimized("application/json; charset=utf-8");

  private Respond() {}

  /** 200 with the body; GET responses get an ETag, Cache-Control and 304 handling ({@link HttpCaching}). */
  public static Handler<RoutingContext> ok(Function<RoutingContext, Future<JsonObject>> handler) {
    return ctx -> start(ctx, handler).onSuccess(body -> {
      if (ctx.response().ended()) return;
      EncodedJson.Encoded shared = EncodedJson.of(body);
      if (shared != null) HttpCaching.ok(ctx, shared.bytes(), shared.etag());
      else HttpCaching.ok(ctx, body.toBuffer(), null);
    }).onFailure(ctx::fail);
  }

  /** {@link #ok} for a body its handler encoded itself ({@link EncodedJson#flagged}). */
  public static Handler<RoutingContext> okEncoded(Function<RoutingContext, Future<EncodedJson.Encoded>> handler) {
    return ctx -> start(ctx, handler).onSuccess(body -> {
      if (!ctx.response().ended()) HttpCaching.ok(ctx, body.bytes(), body.etag());
    }).onFailure(ctx::fail);
  }

  public static Handler<RoutingContext> created(Function<RoutingContext, Future<JsonObject>> handler) {
    return withStatus(201, handler);
  }

  /** 204 with an empty body once the returned future succeeds. */
  public static Handler<RoutingContext> noContent(Function<RoutingContext, Future<Void>> handler) {
    return ctx -> start(ctx, handler).onSuccess(ignored -> {
      if (!ctx.response().ended()) ctx.response().setStatusCode(204).end();
    }).onFailure(ctx::fail);
  }

  private static Handler<RoutingContext> withStatus(int status, Function<RoutingContext, Future<JsonObject>> handler) {
    return ctx -> start(ctx, handler).onSuccess(body -> {
      if (!ctx.response().ended()) write(ctx.response().setStatusCode(status), body.toBuffer());
    }).onFailure(ctx::fail);
  }

  /** Turns a validation error thrown before the first future into a failed future. */
  private static <T> Future<T> start(RoutingContext ctx, Function<RoutingContext, Future<T>> handler) {
    try {
      return handler.apply(ctx);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  static void write(HttpServerResponse response, Buffer body) {
    response.putHeader(HttpHeaders.CONTENT_TYPE, JSON_UTF8).end(body);
  }

  static void write(HttpServerResponse response, String body) {
    response.putHeader(HttpHeaders.CONTENT_TYPE, JSON_UTF8).end(body);
  }
}
