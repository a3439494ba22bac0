package surge.graphql;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Map;

/**
 * A GraphQL-over-HTTP request: {@code query} (null when {@code extensions.persistedQuery} names it by hash),
 * {@code operationName}, {@code variables} and {@code extensions}, from
 * the query string of a GET or the JSON body of a POST ({@code application/json}; one operation, no batches). A
 * request that is not one (no query, not JSON, variables not an object) is answered 400 here, a body of another
 * media type 415, a query over {@code graphql.maxQueryBytes} 200 with {@code QUERY_TOO_LARGE} (a GraphQL request
 * error, like every limit).
 */
record GraphqlRequest(String query, String operationName, Map<String, Object> variables, JsonObject extensions) {

  /** This request with the text its persisted-query hash named. */
  GraphqlRequest withQuery(String text) {
    return new GraphqlRequest(text, operationName, variables, extensions);
  }

  /** The request, or null once it was answered. */
  static GraphqlRequest read(RoutingContext ctx, int maxQueryBytes) {
    GraphqlRequest request;
    try {
      request = ctx.request().method() == HttpMethod.GET ? fromQueryString(ctx) : fromBody(ctx);
    } catch (Bad bad) {
      GraphqlErrors.send(ctx, bad.status, bad.status == 415 ? "UNSUPPORTED_MEDIA_TYPE" : "BAD_REQUEST", bad.getMessage(), null);
      return null;
    }
    if (tooLarge(request.query(), maxQueryBytes)) {
      QueryCheck.Refused r = tooLarge(maxQueryBytes);
      GraphqlErrors.send(ctx, 200, r.code, r.getMessage(), r.details);
      return null;
    }
    return request;
  }

  /**
   * The payload of a graphql-transport-ws {@code subscribe} message, which has the fields of a POST body; what is not
   * a request, or is over {@code graphql.maxQueryBytes}, is a {@link QueryCheck.Refused}.
   */
  static GraphqlRequest fromPayload(JsonObject payload, int maxQueryBytes) {
    GraphqlRequest request;
    try {
      request = of(string(payload.getValue("query"), "query"), string(payload.getValue("operationName"), "operationName"),
          object(payload.getValue("variables"), "variables"), object(payload.getValue("extensions"), "extensions"));
    } catch (Bad bad) {
      throw new QueryCheck.Refused("BAD_REQUEST", bad.getMessage(), null);
    }
    if (tooLarge(request.query(), maxQueryBytes)) throw tooLarge(maxQueryBytes);
    return request;
  }

  private static boolean tooLarge(String query, int maxQueryBytes) {
    return query != null && (query.length() > maxQueryBytes
        || query.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > maxQueryBytes);
  }

  private static QueryCheck.Refused tooLarge(int maxQueryBytes) {
    return new QueryCheck.Refused("QUERY_TOO_LARGE", "the query is longer than " + maxQueryBytes + " bytes",
        JsonObject.of("maxQueryBytes", maxQueryBytes));
  }

  private static GraphqlRequest fromQueryString(RoutingContext ctx) {
    var params = ctx.queryParams();
    return of(params.get("query"), params.get("operationName"), decode(params.get("variables"), "variables"),
        decode(params.get("extensions"), "extensions"));
  }

  private static GraphqlRequest fromBody(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    String media = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!media.equals("application/json") && !media.equals("application/graphql-response+json")) {
      throw new Bad(415, "send the request as application/json");
    }
    Buffer body = ctx.body().buffer();
    Object root;
    try {
      root = body == null || body.length() == 0 ? null : Json.decodeValue(body);
    } catch (DecodeException e) {
      throw new Bad(400, "the body is not valid JSON");
    }
    if (!(root instanceof JsonObject json)) throw new Bad(400, "the body must be a JSON object with a query");
    return of(string(json.getValue("query"), "query"), string(json.getValue("operationName"), "operationName"),
        object(json.getValue("variables"), "variables"), object(json.getValue("extensions"), "extensions"));
  }

  private static GraphqlRequest of(String query, String operationName, JsonObject variables, JsonObject extensions) {
    boolean persisted = extensions != null && extensions.containsKey("persistedQuery");
    if (query == null || query.isBlank()) {
      if (!persisted) throw new Bad(400, "query is missing");
      query = null; // named by its hash: PersistedQueries finds the text
    }
    return new GraphqlRequest(query, operationName == null || operationName.isEmpty() ? null : operationName,
        variables == null ? null : variables.getMap(), extensions);
  }

  private static JsonObject decode(String raw, String name) {
    if (raw == null || raw.isEmpty()) return null;
    try {
      return object(Json.decodeValue(raw), name);
    } catch (DecodeException e) {
      throw new Bad(400, name + " is not valid JSON");
    }
  }

  private static String string(Object value, String name) {
    if (value == null || value instanceof String) return (String) value;
    throw new Bad(400, name + " must be a string");
  }

  private static JsonObject object(Object value, String name) {
    if (value == null || value instanceof JsonObject) return (JsonObject) value;
    throw new Bad(400, name + " must be a JSON object");
  }

  /** Not a GraphQL request: answered with {@code status}. */
  private static final class Bad extends RuntimeException {
    final int status;

    Bad(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }
}
