package surge.graphql;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import surge.support.Client;

/** GraphQL calls through the suite's blocking {@link Client}. */
final class Gql {
  private final Client client;

  Gql(Client client) {
    this.client = client;
  }

  HttpResponse<Buffer> post(String token, String query, JsonObject variables) {
    JsonObject body = new JsonObject().put("query", query);
    if (variables != null) body.put("variables", variables);
    return client.post("/graphql", token, body);
  }

  /** A POST that must answer 200; its body. */
  JsonObject ok(String token, String query, JsonObject variables) {
    HttpResponse<Buffer> r = post(token, query, variables);
    if (r.statusCode() != 200) throw new AssertionError(r.statusCode() + " " + r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  /** A POST that must run without errors; its {@code data}. */
  JsonObject data(String token, String query, JsonObject variables) {
    JsonObject body = ok(token, query, variables);
    if (body.getJsonArray("errors") != null) throw new AssertionError("errors: " + body.encode());
    return body.getJsonObject("data");
  }

  /** The first error of a response that must have one. */
  static JsonObject error(JsonObject body) {
    JsonArray errors = body.getJsonArray("errors");
    if (errors == null || errors.isEmpty()) throw new AssertionError("no errors: " + body.encode());
    return errors.getJsonObject(0);
  }

  static String code(JsonObject body) {
    return error(body).getJsonObject("extensions").getString("code");
  }
}
