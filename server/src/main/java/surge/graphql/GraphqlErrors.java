package surge.graphql;

import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.execution.DataFetcherExceptionHandler;
import graphql.execution.DataFetcherExceptionHandlerParameters;
import graphql.execution.DataFetcherExceptionHandlerResult;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import surge.core.ApiError;
import surge.ratelimit.Decision;
import surge.web.Errors;

/**
 * GraphQL's side of the one error path. A resolver's failure becomes an entry of {@code errors[]} with its field's
 * path and {@code extensions}: {@code code} (from the REST status: {@code BAD_USER_INPUT} for a 422,
 * {@code NOT_FOUND}, {@code FORBIDDEN}, …), {@code status} (what REST would answer) and {@code fields} (the REST
 * error body's field → messages), so a client reads the same validation as from REST. A request refused before
 * execution gets only {@code errors[]}. Unexpected failures are logged once and reach the client as
 * {@code INTERNAL} with no detail.
 */
final class GraphqlErrors implements DataFetcherExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(GraphqlErrors.class);
  static final CharSequence JSON_UTF8 = HttpHeaders.createOptimized("application/json; charset=utf-8");

  @Override
  public CompletableFuture<DataFetcherExceptionHandlerResult> handleException(DataFetcherExceptionHandlerParameters p) {
    Throwable failure = unwrap(p.getException());
    ApiError error = Errors.classify(failure, 500);
    if (error == null) log.error("GraphQL field {} failed", p.getPath(), failure);
    GraphQLError graphql = GraphqlErrorBuilder.newError()
        .message("%s", error == null ? "internal error" : message(error))
        .path(p.getPath()).location(p.getSourceLocation())
        .extensions(error == null ? Map.of("code", "INTERNAL", "status", 500) : extensions(error))
        .build();
    return CompletableFuture.completedFuture(DataFetcherExceptionHandlerResult.newResult(graphql).build());
  }

  private static Throwable unwrap(Throwable failure) {
    while (failure instanceof CompletionException && failure.getCause() != null) failure = failure.getCause();
    return failure;
  }

  /** 429 {@code rate}, as REST words it; for a request refused by the limiter or a login refused per e-mail. */
  static ApiError rateLimited(Decision d) {
    return ApiError.rateLimited(d.retryAfterSeconds());
  }

  /** {@code "title can't be blank; body can't be blank"}: the REST body's messages, each after its field. */
  static String message(ApiError error) {
    JsonObject fields = error.body().getJsonObject("errors");
    StringBuilder out = new StringBuilder();
    for (String field : fields.fieldNames()) {
      for (Object message : fields.getJsonArray(field)) {
        if (out.length() > 0) out.append("; ");
        out.append(field).append(' ').append(message);
      }
    }
    return out.toString();
  }

  static Map<String, Object> extensions(ApiError error) {
    Map<String, Object> ext = new LinkedHashMap<>();
    ext.put("code", code(error.status()));
    ext.put("status", error.status());
    ext.put("fields", error.body().getJsonObject("errors").getMap());
    return ext;
  }

  static String code(int status) {
    return switch (status) {
      case 400 -> "BAD_REQUEST";
      case 401 -> "UNAUTHENTICATED";
      case 403 -> "FORBIDDEN";
      case 404 -> "NOT_FOUND";
      case 405 -> "METHOD_NOT_ALLOWED";
      case 409 -> "CONFLICT";
      case 413 -> "REQUEST_TOO_LARGE";
      case 415 -> "UNSUPPORTED_MEDIA_TYPE";
      case 422 -> "BAD_USER_INPUT";
      case 429 -> "RATE_LIMITED";
      case 503 -> "UNAVAILABLE";
      default -> status >= 500 ? "INTERNAL" : "BAD_REQUEST";
    };
  }

  /** One request-level error ({@code {"errors":[{"message", "extensions":{"code"}}]}}) with an HTTP status. */
  static void send(RoutingContext ctx, int status, String code, String message, JsonObject extra) {
    write(ctx.response().setStatusCode(status), new JsonObject().put("errors", errors(code, message, extra)));
  }

  /** A list of parse or validation errors of graphql-java (with their locations), answered with HTTP 200. */
  static void send(RoutingContext ctx, String code, List<? extends GraphQLError> errors) {
    write(ctx.response().setStatusCode(200), new JsonObject().put("errors", errors(code, errors)));
  }

  /** {@code [{"message", "extensions": {"code", ...extra}}]}. */
  static JsonArray errors(String code, String message, JsonObject extra) {
    JsonObject extensions = new JsonObject().put("code", code);
    if (extra != null) extensions.mergeIn(extra);
    return new JsonArray().add(new JsonObject().put("message", message).put("extensions", extensions));
  }

  /** graphql-java's errors with {@code extensions.code} set. */
  static JsonArray errors(String code, List<? extends GraphQLError> errors) {
    JsonArray out = new JsonArray();
    for (GraphQLError e : errors) {
      JsonObject json = new JsonObject(e.toSpecification());
      JsonObject ext = json.getJsonObject("extensions", new JsonObject());
      // graphql-java puts "classification" there; the code is what clients are told to branch on
      json.put("extensions", ext.put("code", code));
      out.add(json);
    }
    return out;
  }

  /** The route's failure handler: whatever failed before execution (body limit, timeout, a bad token) in GraphQL shape. */
  static void render(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.closed()) return;
    if (response.headWritten()) {
      response.reset();
      return;
    }
    Throwable failure = ctx.failure();
    ApiError error = Errors.classify(failure, ctx.statusCode());
    if (error == null) {
      log.error("unhandled failure on {} {}", ctx.request().method(), ctx.normalizedPath(), failure);
      send(ctx, 500, "INTERNAL", "internal error", null);
      return;
    }
    if (error.retryAfter() != null) response.putHeader(HttpHeaders.RETRY_AFTER, error.retryAfter());
    send(ctx, error.status(), code(error.status()), message(error), JsonObject.of("status", error.status(),
        "fields", error.body().getJsonObject("errors")));
  }

  static void write(HttpServerResponse response, JsonObject body) {
    response.putHeader(HttpHeaders.CONTENT_TYPE, JSON_UTF8).end(body.toBuffer());
  }
}
