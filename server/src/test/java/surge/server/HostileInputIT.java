package surge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import surge.support.Client;
import surge.support.ErrorShape;
import surge.support.WithNode;

/**
 * Bad input is the client's fault: it gets a 4xx RealWorld error body, never a 5xx or a stack
 * trace, and the node keeps serving afterwards.
 */
class HostileInputIT extends WithNode {
  private static final String JSON = "application/json";
  static WebClient web;

  @BeforeAll
  static void startWebClient(Vertx vertx) {
    web = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(node.port()));
  }

  @AfterAll
  static void closeWebClient() {
    web.close();
  }

  // ---------------------------------------------------------------- bodies

  @Test
  void malformedJsonIs400() {
    ErrorShape.assertError(postUsers("{\"user\":{\"username\":"), 400, "body");
    ErrorShape.assertError(postUsers("{user: {}}"), 400, "body");
    ErrorShape.assertError(postUsers("not json at all"), 400, "body");
    ErrorShape.assertError(postUsers("{\"user\":{}}}"), 400, "body");
  }

  @Test
  void jsonThatIsNotAnObjectIs422OnTheWrapper() {
    ErrorShape.assertError(postUsers("[]"), 422, "user");
    ErrorShape.assertError(postUsers("[{\"user\":{}}]"), 422, "user");
    ErrorShape.assertError(postUsers("\"user\""), 422, "user");
    ErrorShape.assertError(postUsers("42"), 422, "user");
    ErrorShape.assertError(postUsers("null"), 422, "user");
  }

  @Test
  void missingOrWrongWrapperIs422OnTheWrapper() {
    ErrorShape.assertError(postUsers("{}"), 422, "user");
    ErrorShape.assertError(postUsers("{\"users\":{}}"), 422, "user");
    ErrorShape.assertError(postUsers("{\"user\":null}"), 422, "user");
    ErrorShape.assertError(postUsers("{\"user\":\"bob\"}"), 422, "user");
    ErrorShape.assertError(postUsers("{\"user\":[]}"), 422, "user");
    ErrorShape.assertError(raw(HttpMethod.POST, "/api/users/login", null, "{\"users\":{}}"), 422, "user");
  }

  @Test
  void emptyBodyIs422OnTheWrapper() {
    ErrorShape.assertError(postUsers(""), 422, "user");
    ErrorShape.assertError(web.post("/api/users").send().await(), 422, "user");
    JsonObject user = client.register("empty");
    ErrorShape.assertError(raw(HttpMethod.PUT, "/api/user", user.getString("token"), ""), 422, "user");
  }

  @Test
  void wrongJsonTypesAre422OnTheField() {
    ErrorShape.assertError(postUsers("{\"user\":{\"username\":123,\"email\":\"a@example.com\",\"password\":\"password123\"}}"),
        422, "username");
    ErrorShape.assertError(postUsers("{\"user\":{\"username\":\"abc\",\"email\":true,\"password\":\"password123\"}}"),
        422, "email");
    ErrorShape.assertError(postUsers("{\"user\":{\"username\":\"abc\",\"email\":\"a@example.com\",\"password\":{\"x\":1}}}"),
        422, "password");
    ErrorShape.assertError(postUsers("{\"user\":{\"username\":[\"a\"],\"email\":\"a@example.com\",\"password\":\"password123\"}}"),
        422, "username");
    ErrorShape.assertError(raw(HttpMethod.POST, "/api/users/login", null, "{\"user\":{\"email\":1.5,\"password\":null}}"),
        422, "email");
    JsonObject user = client.register("types");
    ErrorShape.assertError(raw(HttpMethod.PUT, "/api/user", user.getString("token"), "{\"user\":{\"bio\":42}}"), 422, "bio");
    ErrorShape.assertError(raw(HttpMethod.PUT, "/api/user", user.getString("token"), "{\"user\":{\"image\":[]}}"), 422, "image");
  }

  @Test
  void nulCharactersInStringsAre422() {
    String name = Client.unique("nul");
    JsonObject withNul = new JsonObject().put("user", new JsonObject()
        .put("username", name + "\u0000x").put("email", name + "@example.com").put("password", "password123"));
    ErrorShape.assertError(client.post("/api/users", null, withNul), 422, "username");

    JsonObject user = client.register("nul");
    ErrorShape.assertError(client.post("/api/users/login", null, new JsonObject().put("user", new JsonObject()
        .put("email", user.getString("email") + "\u0000").put("password", user.getString("password")))), 422, "email");
    ErrorShape.assertError(client.put("/api/user", user.getString("token"),
        new JsonObject().put("user", new JsonObject().put("bio", "a\u0000b"))), 422, "bio");
    // the escaped form in raw JSON, too
    ErrorShape.assertError(raw(HttpMethod.PUT, "/api/user", user.getString("token"), "{\"user\":{\"image\":\"x\\u0000\"}}"),
        422, "image");
  }

  @Test
  void invalidUtf8InJsonBodyIs4xx() {
    Buffer body = Buffer.buffer("{\"user\":{\"username\":\"")
        .appendBytes(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE})
        .appendString("\",\"email\":\"x@example.com\",\"password\":\"password123\"}}");
    ErrorShape.assertError(client.raw(HttpMethod.POST, "/api/users", null, JSON, body), 400, "body");

    Buffer lone = Buffer.buffer(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80});
    ErrorShape.assertError(client.raw(HttpMethod.POST, "/api/users/login", null, JSON, lone), 400, "body");
  }

  @Test
  void deeplyNestedJsonIs4xx() {
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    ErrorShape.assertError(postUsers(deep), 400, "body");
    String deepObject = "{\"user\":".repeat(50_000) + "{}" + "}".repeat(50_000);
    ErrorShape.assertError(postUsers(deepObject), 400, "body");
  }

  @Test
  void hugeNumbersAndStringsAreRefusedWithout5xx() {
    ErrorShape.assertError(postUsers("{\"user\":{\"username\":" + "9".repeat(5000) + "}}"), 400, "body");
    String name = Client.unique("long");
    ErrorShape.assertError(client.post("/api/users", null, new JsonObject().put("user", new JsonObject()
        .put("username", name + "x".repeat(10_000)).put("email", name + "@example.com").put("password", "password123"))),
        422, "username");
  }

  @Test
  void bodyOverTheLimitIs413() {
    int limit = node.config().http().bodyLimitBytes();
    String padding = "x".repeat(limit + 1024);
    HttpResponse<Buffer> r = client.post("/api/users", null, new JsonObject().put("user", new JsonObject()
        .put("username", Client.unique("big")).put("email", "big@example.com").put("password", "password123")
        .put("bio", padding)));
    ErrorShape.assertError(r, 413, "body");
    assertTagsStillServed();
  }

  // ---------------------------------------------------------------- query and path

  @Test
  void absurdPagingValuesAre422() {
    ErrorShape.assertError(client.get("/api/articles?limit=-1"), 422, "limit");
    ErrorShape.assertError(client.get("/api/articles?limit=0"), 422, "limit");
    ErrorShape.assertError(client.get("/api/articles?limit=abc"), 422, "limit");
    ErrorShape.assertError(client.get("/api/articles?limit=1.5"), 422, "limit");
    ErrorShape.assertError(client.get("/api/articles?limit=99999999999999999999"), 422, "limit");
    ErrorShape.assertError(client.get("/api/articles?offset=-1"), 422, "offset");
    ErrorShape.assertError(client.get("/api/articles?offset=1000000000000000000000000000000"), 422, "offset");
    ErrorShape.assertError(client.get("/api/articles?offset=%00"), 422, "offset");
  }

  @Test
  void badlyEncodedQueryIs400() {
    ErrorShape.assertError(client.get("/api/articles?limit=%ZZ"), 400, "request");
    ErrorShape.assertError(client.get("/api/articles?tag=%ZZ"), 400, "request");
    ErrorShape.assertError(client.get("/api/articles?tag=%"), 400, "request");
  }

  @Test
  void invalidUtf8InQueryIsNoServerError() {
    // decodes to replacement characters: a tag nobody uses, or a refusal; never a 5xx
    HttpResponse<Buffer> r = client.get("/api/articles?tag=%E2%28%FF");
    assertTrue(r.statusCode() < 500, r.statusCode() + " " + r.bodyAsString());
    assertEquals("application/json; charset=utf-8", r.getHeader("Content-Type"));
    assertFalse(r.bodyAsString().contains("Exception"), r.bodyAsString());
  }

  @Test
  void nulInPathParamIs4xx() {
    ErrorShape.assertClientError(client.get("/api/profiles/%00"));
    ErrorShape.assertClientError(client.get("/api/profiles/a%00b"));
    JsonObject user = client.register("pathnul");
    ErrorShape.assertClientError(client.post("/api/profiles/a%00b/follow", user.getString("token"), null));
    ErrorShape.assertClientError(client.get("/api/articles/slug%00x"));
    ErrorShape.assertClientError(client.get("/api/articles?author=%00"));
    ErrorShape.assertClientError(client.get("/api/articles?tag=a%00"));
  }

  @Test
  void longPathParamIs404() {
    ErrorShape.assertError(client.get("/api/profiles/" + "a".repeat(3000)), 404, "profile");
  }

  @Test
  void pathLongerThanTheServerAcceptsIs414() {
    ErrorShape.assertError(client.get("/api/profiles/" + "a".repeat(20_000)), 414, "uri");
  }

  @Test
  void oversizeHeadersAre431() {
    HttpResponse<Buffer> r = web.get("/api/tags").putHeader("X-Big", "h".repeat(20_000)).send().await();
    ErrorShape.assertError(r, 431, "headers");
  }

  @Test
  void unicodePathParamIs404() {
    ErrorShape.assertError(client.get("/api/profiles/%E2%9C%93%F0%9F%98%80"), 404, "profile");
    ErrorShape.assertError(client.get("/api/profiles/%D0%B8%D0%B2%D0%B0%D0%BD"), 404, "profile");
  }

  @Test
  void badlyEncodedPathParamIs4xx() {
    ErrorShape.assertClientError(client.get("/api/profiles/%ZZ"));
    ErrorShape.assertClientError(client.get("/api/profiles/%E2%28%A1"));
    ErrorShape.assertClientError(client.get("/api/profiles/%"));
  }

  @Test
  void unknownRouteIs404Json() {
    ErrorShape.assertError(client.get("/api/nothing-here"), 404, "route");
    ErrorShape.assertError(client.get("/api/profiles"), 404, "route");
  }

  @Test
  void wrongMethodIs405Json() {
    ErrorShape.assertError(client.delete("/api/users", null), 405, "method");
    ErrorShape.assertError(client.send(HttpMethod.PATCH, "/api/user", null, new JsonObject()), 405, "method");
  }

  @Test
  void nodeStillServesAfterHostileInput() {
    postUsers("{\"user\":");
    postUsers("[".repeat(10_000));
    client.raw(HttpMethod.POST, "/api/users", null, JSON, Buffer.buffer(new byte[] {(byte) 0xFF, 0, (byte) 0xC0}));
    client.get("/api/profiles/%00");
    client.get("/api/articles?offset=1000000000000000000000000000000");
    client.get("/api/" + "z".repeat(20_000));
    assertTagsStillServed();
  }

  // ---------------------------------------------------------------- helpers

  private static HttpResponse<Buffer> postUsers(String body) {
    return raw(HttpMethod.POST, "/api/users", null, body);
  }

  private static HttpResponse<Buffer> raw(HttpMethod method, String path, String token, String body) {
    return client.raw(method, path, token, JSON, Buffer.buffer(body, StandardCharsets.UTF_8.name()));
  }

  private static void assertTagsStillServed() {
    HttpResponse<Buffer> tags = client.get("/api/tags");
    assertEquals(200, tags.statusCode(), tags.bodyAsString());
    assertNotNull(tags.bodyAsJsonObject().getJsonArray("tags"));
  }
}
