package surge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static surge.support.ErrorShape.assertError;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import surge.support.Client;
import surge.support.WithNode;

/** The route table as a client sees it: prefixes, 404/405, CORS, health, content type. */
class RoutingIT extends WithNode {
  private static final String JSON_UTF8 = "application/json; charset=utf-8";
  private static final String ORIGIN = "https://app.example.com";
  static WebClient web;

  @BeforeAll
  static void startWebClient(Vertx vertx) {
    web = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(node.port()));
  }

  @AfterAll
  static void closeWebClient() {
    web.close();
  }

  // ---------------------------------------------------------------- /api and /api/v1

  @Test
  void userRegisteredUnderV1LogsInUnderApiAndViceVersa() {
    String name = Client.unique("v1");
    JsonObject form = new JsonObject().put("username", name).put("email", name + "@example.com").put("password", "password123");
    HttpResponse<Buffer> registered = client.post("/api/v1/users", null, new JsonObject().put("user", form));
    assertEquals(201, registered.statusCode(), registered.bodyAsString());
    String token = registered.bodyAsJsonObject().getJsonObject("user").getString("token");

    HttpResponse<Buffer> login = client.post("/api/users/login", null, new JsonObject().put("user",
        new JsonObject().put("email", name + "@example.com").put("password", "password123")));
    assertEquals(200, login.statusCode(), login.bodyAsString());
    assertEquals(200, client.get("/api/user", token).statusCode());
    assertEquals(200, client.get("/api/v1/user", login.bodyAsJsonObject().getJsonObject("user").getString("token")).statusCode());
  }

  @Test
  void apiAndV1AnswerIdentically() {
    JsonObject viewer = client.register("same");
    JsonObject star = client.register("star");
    client.post("/api/v1/profiles/" + star.getString("username") + "/follow", viewer.getString("token"), null);
    String token = viewer.getString("token");

    for (String path : new String[] {"/user", "/profiles/" + star.getString("username"), "/tags",
        "/profiles/" + Client.unique("ghost"), "/articles?limit=-1"}) {
      String t = path.equals("/tags") ? null : token;
      HttpResponse<Buffer> plain = client.get("/api" + path, t);
      HttpResponse<Buffer> v1 = client.get("/api/v1" + path, t);
      assertEquals(plain.statusCode(), v1.statusCode(), path);
      assertEquals(plain.getHeader("Content-Type"), v1.getHeader("Content-Type"), path);
      assertEquals(plain.bodyAsJsonObject(), v1.bodyAsJsonObject(), path);
    }
    JsonObject profile = client.get("/api/profiles/" + star.getString("username"), token).bodyAsJsonObject().getJsonObject("profile");
    assertEquals(true, profile.getBoolean("following"), "the follow made under /api/v1 shows under /api");
  }

  /** The alias is routed again as its /api twin: the query survives, and the root's headers are set once again. */
  @Test
  void v1KeepsTheQueryAndTheResponseHeaders() {
    client.article(client.register("v1q").getString("token"), Client.unique("V1 query"), "v1q");
    HttpResponse<Buffer> one = client.get("/api/v1/articles?limit=1");
    assertEquals(200, one.statusCode());
    assertEquals(1, one.bodyAsJsonObject().getJsonArray("articles").size(), "limit=1 reached the route");
    assertEquals(1, one.headers().getAll("X-Request-Id").size());
    assertEquals("nosniff", one.getHeader("X-Content-Type-Options"));
    assertEquals(client.get("/api/articles?limit=1").getHeader("Cache-Control"), one.getHeader("Cache-Control"));
  }

  @Test
  void v1AnswersErrorsLikeApi() {
    assertError(client.get("/api/v1/user"), 401, "token");
    assertError(client.get("/api/v1/nothing-here"), 404, "route");
    assertError(client.delete("/api/v1/users", null), 405, "method");
    assertError(client.get("/api/v1/profiles/" + Client.unique("ghost")), 404, "profile");
  }

  // ---------------------------------------------------------------- 404 / 405

  @Test
  void unknownRoutesAre404Json() {
    assertError(client.get("/"), 404, "route");
    assertError(client.get("/nothing"), 404, "route");
    assertError(client.get("/api"), 404, "route");
    assertError(client.get("/api/"), 404, "route");
    assertError(client.get("/api/nothing-here"), 404, "route");
    assertError(client.get("/api/v2/tags"), 404, "route");
    assertError(client.post("/api/nothing-here", null, new JsonObject()), 404, "route");
    assertError(client.get("/api/users/login/extra"), 404, "route");
  }

  @Test
  void wrongMethodsAre405Json() {
    assertError(client.get("/api/users"), 405, "method");
    assertError(client.delete("/api/users", null), 405, "method");
    assertError(client.get("/api/users/login"), 405, "method");
    assertError(client.delete("/api/user", null), 405, "method");
    assertError(client.post("/api/tags", null, new JsonObject()), 405, "method");
    assertError(client.send(HttpMethod.PATCH, "/api/user", null, new JsonObject()), 405, "method");
    assertError(client.put("/api/profiles/someone", null, new JsonObject()), 405, "method");
  }

  // ---------------------------------------------------------------- CORS

  @Test
  void simpleCorsRequestGetsAllowOrigin() {
    HttpResponse<Buffer> r = web.get("/api/tags").putHeader("Origin", ORIGIN).send().await();
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertAllowsOrigin(r);
  }

  @Test
  void corsHeadersAreOnErrorResponsesToo() {
    HttpResponse<Buffer> r = web.get("/api/user").putHeader("Origin", ORIGIN).send().await();
    assertEquals(401, r.statusCode(), r.bodyAsString());
    assertAllowsOrigin(r);
    HttpResponse<Buffer> missing = web.get("/api/nothing-here").putHeader("Origin", ORIGIN).send().await();
    assertEquals(404, missing.statusCode());
    assertAllowsOrigin(missing);
  }

  @Test
  void preflightAllowsTheApiMethodsAndHeaders() {
    for (String path : new String[] {"/api/user", "/api/v1/user", "/api/profiles/someone/follow"}) {
      HttpResponse<Buffer> r = web.request(HttpMethod.OPTIONS, path)
          .putHeader("Origin", ORIGIN)
          .putHeader("Access-Control-Request-Method", "PUT")
          .putHeader("Access-Control-Request-Headers", "Authorization, Content-Type")
          .send().await();
      assertTrue(r.statusCode() == 200 || r.statusCode() == 204, path + ": " + r.statusCode() + " " + r.bodyAsString());
      assertAllowsOrigin(r);
      Set<String> methods = tokens(r.getHeader("Access-Control-Allow-Methods"));
      assertTrue(methods.containsAll(Set.of("get", "post", "put", "delete")), path + ": " + methods);
      Set<String> headers = tokens(r.getHeader("Access-Control-Allow-Headers"));
      assertTrue(headers.contains("authorization") && headers.contains("content-type"), path + ": " + headers);
    }
  }

  @Test
  void preflightDoesNotRequireAToken() {
    // a browser never sends credentials on a preflight; a 401 here would block every authenticated call
    HttpResponse<Buffer> r = web.request(HttpMethod.OPTIONS, "/api/articles/feed")
        .putHeader("Origin", ORIGIN).putHeader("Access-Control-Request-Method", "GET")
        .putHeader("Access-Control-Request-Headers", "authorization")
        .send().await();
    assertTrue(r.statusCode() == 200 || r.statusCode() == 204, r.statusCode() + " " + r.bodyAsString());
    assertAllowsOrigin(r);
  }

  // ---------------------------------------------------------------- health

  @Test
  void liveHealthIsUp() {
    HttpResponse<Buffer> r = client.get("/health/live");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(JSON_UTF8, r.getHeader("Content-Type"));
    assertEquals("UP", r.bodyAsJsonObject().getString("status"));
  }

  @Test
  void readyHealthIsUpWhileTheDatabaseAnswers() {
    HttpResponse<Buffer> r = client.get("/health/ready");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(JSON_UTF8, r.getHeader("Content-Type"));
    assertEquals("UP", r.bodyAsJsonObject().getString("status"));
  }

  // ---------------------------------------------------------------- content type

  @Test
  void everyJsonResponseIsUtf8Json() {
    JsonObject user = client.register("ctype");
    String name = Client.unique("ct");
    HttpResponse<?>[] responses = {
        client.post("/api/users", null, new JsonObject().put("user", new JsonObject()
            .put("username", name).put("email", name + "@example.com").put("password", "password123"))), // 201
        client.get("/api/user", user.getString("token")),                                                // 200
        client.get("/api/tags"),                                                                          // 200
        client.post("/api/users/login", null, new JsonObject()),                                          // 422
        client.get("/api/user"),                                                                          // 401
        client.get("/api/profiles/" + Client.unique("ghost")),                                            // 404
        client.delete("/api/users", null),                                                                // 405
    };
    for (HttpResponse<?> r : responses) {
      assertEquals(JSON_UTF8, r.getHeader("Content-Type"), r.statusCode() + " " + r.bodyAsString());
    }
  }

  @Test
  void nonAsciiTextRoundTripsAsUtf8() {
    JsonObject user = client.register("utf");
    String bio = "Grüße aus Köln — 東京 😀";
    HttpResponse<Buffer> r = client.put("/api/user", user.getString("token"),
        new JsonObject().put("user", new JsonObject().put("bio", bio)));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(bio, new JsonObject(r.body().toString("UTF-8")).getJsonObject("user").getString("bio"));
  }

  // ---------------------------------------------------------------- helpers

  private static void assertAllowsOrigin(HttpResponse<Buffer> r) {
    String allowed = r.getHeader("Access-Control-Allow-Origin");
    assertTrue("*".equals(allowed) || ORIGIN.equals(allowed), "Access-Control-Allow-Origin: " + allowed);
  }

  /** The comma-separated values of a header, lower-cased. */
  private static Set<String> tokens(String header) {
    assertNotNull(header);
    return Arrays.stream(header.split(",")).map(s -> s.trim().toLowerCase()).collect(Collectors.toSet());
  }
}
