package surge.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;
import surge.support.Client;
import surge.support.Eventually;
import surge.support.TestNode;
import surge.support.WithNode;
import surge.web.Errors;

/** Request ids, the access log, and what must never reach a log line, on a real node. */
class LogsIT extends WithNode {
  private static final Logger hop = LoggerFactory.getLogger("surge.test.hop");
  private LogCapture capture;

  @BeforeEach
  void capture() {
    capture = LogCapture.attach();
  }

  @AfterEach
  void release() {
    capture.close();
  }

  @Test
  void requestIdIsGeneratedEchoedAndOnTheAccessLine(Vertx vertx) {
    WebClient web = WebClient.create(vertx);
    HttpResponse<Buffer> r = web.get(node.port(), "127.0.0.1", "/api/tags").putHeader("X-Request-Id", "chosen-by-client")
        .send().await();
    web.close();
    assertEquals(200, r.statusCode());
    String id = r.getHeader("X-Request-Id");
    assertNotNull(id, "X-Request-Id is echoed");
    assertTrue(id.matches("[0-9a-f]{16}"), "a generated id, not the untrusted client's: " + id);
    ILoggingEvent line = accessLine(id);
    Map<String, Object> fields = fields(line);
    assertEquals("GET", fields.get("method"));
    assertEquals("/api/tags", fields.get("route"));
    assertEquals(200, fields.get("status"));
    assertTrue(((Number) fields.get("bytes")).longValue() > 0, "bytes sent: " + fields);
    assertTrue(fields.get("durationMs") instanceof Double, "duration: " + fields);
    JsonObject json = new JsonObject(capture.json(line).trim());
    assertEquals(id, json.getString("requestId"), "the JSON line carries the request id: " + json);
    assertEquals("surge.access", json.getString("logger"));
    assertEquals("/api/tags", json.getString("route"));
    assertEquals(200, json.getInteger("status"));
  }

  @Test
  void accessLogNamesRouteTemplatesNotPaths() {
    JsonObject user = client.register("acc");
    String name = user.getString("username");
    String v0 = client.get("/api/profiles/" + name).getHeader("X-Request-Id");
    String v1 = client.get("/api/v1/profiles/" + name).getHeader("X-Request-Id");
    String missing = client.get("/api/no/such/" + name).getHeader("X-Request-Id");
    assertEquals("/api/profiles/:username", fields(accessLine(v0)).get("route"));
    assertEquals("/api/profiles/:username", fields(accessLine(v1)).get("route"), "/api/v1 is an alias of /api");
    assertEquals("unmatched", fields(accessLine(missing)).get("route"));
    assertEquals(404, fields(accessLine(missing)).get("status"));
    String access = capture.of(RequestLog.ACCESS_LOGGER).stream().map(e -> e.getFormattedMessage() + e.getKeyValuePairs())
        .collect(Collectors.joining("\n"));
    assertFalse(access.contains(name), "no raw path (user name) in the access log:\n" + access);
  }

  /**
   * Lines logged after asynchronous hops (a PostgreSQL query, then a timer) carry their own request's id, while
   * requests with different delays interleave on the same event loops.
   */
  @Test
  void linesAfterAsyncHopsCarryTheirOwnRequestId(Vertx vertx) {
    Pool pool = node.node().services().shards().byLogical(0).primary();
    Router router = Router.router(vertx);
    router.get("/hop/:ms").handler(ctx -> {
      String ms = ctx.pathParam("ms");
      pool.query("SELECT pg_sleep(" + Integer.parseInt(ms) / 1000.0 + ")").execute()
          .onSuccess(rows -> {
            hop.info("after query {}", ms);
            vertx.setTimer(1 + Integer.parseInt(ms) % 7, t -> {
              hop.info("after timer {}", ms);
              ctx.response().end("ok");
            });
          })
          .onFailure(ctx::fail);
    });
    RequestLog.install(vertx, router, LogConfig.DEFAULTS);
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
    try {
      WebClient web = WebClient.create(vertx);
      List<Integer> delays = List.of(60, 5, 45, 1, 30, 15, 50, 10, 25, 0, 40, 20);
      List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
      for (int ms : delays) sent.add(web.get(server.actualPort(), "127.0.0.1", "/hop/" + ms).send());
      Future.all(sent).await();
      Map<String, String> idByDelay = new HashMap<>();
      for (int i = 0; i < delays.size(); i++) {
        idByDelay.put(Integer.toString(delays.get(i)), sent.get(i).result().getHeader("X-Request-Id"));
      }
      assertEquals(delays.size(), new java.util.HashSet<>(idByDelay.values()).size(), "distinct ids: " + idByDelay);
      for (ILoggingEvent e : capture.of("surge.test.hop")) {
        String ms = e.getArgumentArray()[0].toString();
        assertEquals(idByDelay.get(ms), e.getMDCPropertyMap().get(RequestContextFilter.REQUEST_ID),
            "line '" + e.getFormattedMessage() + "' on " + e.getThreadName());
      }
      assertEquals(2 * delays.size(), capture.of("surge.test.hop").size());
      web.close();
    } finally {
      server.close().await();
    }
  }

  @Test
  void requestIdFromATrustedProxyIsKeptIfWellFormed(Vertx vertx) {
    Router router = Router.router(vertx);
    router.get("/x").handler(ctx -> ctx.response().end());
    RequestLog.install(vertx, router, new LogConfig(LogConfig.TEXT, "INFO", List.of(), true, true));
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
    try {
      WebClient web = WebClient.create(vertx);
      assertEquals("proxy-abc.123:x_y", web.get(server.actualPort(), "127.0.0.1", "/x")
          .putHeader("X-Request-Id", "proxy-abc.123:x_y").send().await().getHeader("X-Request-Id"));
      for (String bad : List.of("with space", "a\"quote", "x".repeat(65), "line\u0085break", "")) {
        String echoed = web.get(server.actualPort(), "127.0.0.1", "/x").putHeader("X-Request-Id", bad).send().await()
            .getHeader("X-Request-Id");
        assertTrue(echoed.matches("[0-9a-f]{16}"), "'" + bad + "' replaced by a generated id, got " + echoed);
      }
      web.close();
    } finally {
      server.close().await();
    }
  }

  /**
   * Registration, login, token use, a password change, failed logins, a forged token and an unhandled failure whose
   * request carries the token and password: none of the password, the token, the Authorization header or the JWT
   * secret may reach any line, at DEBUG for surge.* too.
   */
  @Test
  void noSecretsInAnyLine(Vertx vertx) {
    ch.qos.logback.classic.Logger surge = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("surge");
    Level before = surge.getLevel();
    surge.setLevel(Level.DEBUG);
    try {
      String name = Client.unique("secret");
      String password = "pw-" + Client.unique("P4ss");
      String newPassword = "pw-" + Client.unique("N3w");
      JsonObject reg = new JsonObject().put("user", new JsonObject().put("username", name)
          .put("email", name + "@example.com").put("password", password));
      HttpResponse<Buffer> registered = client.post("/api/users", null, reg);
      assertEquals(201, registered.statusCode());
      String token = registered.bodyAsJsonObject().getJsonObject("user").getString("token");
      JsonObject login = new JsonObject().put("user", new JsonObject().put("email", name + "@example.com").put("password", password));
      HttpResponse<Buffer> loggedIn = client.post("/api/users/login", null, login);
      assertEquals(200, loggedIn.statusCode());
      String token2 = loggedIn.bodyAsJsonObject().getJsonObject("user").getString("token");
      assertEquals(200, client.get("/api/user", token).statusCode());
      assertEquals(200, client.put("/api/user", token, new JsonObject().put("user", new JsonObject().put("password", newPassword))).statusCode());
      JsonObject wrong = new JsonObject().put("user", new JsonObject().put("email", name + "@example.com").put("password", password));
      assertTrue(client.post("/api/users/login", null, wrong).statusCode() >= 400, "old password refused");
      assertEquals(401, client.get("/api/user", token.substring(0, token.length() - 4) + "AAAA").statusCode());
      assertEquals(404, client.get("/api/no/such/route", token).statusCode());

      // the unhandled-failure path of Errors, with the secrets in the request's headers and body
      Router router = Router.router(vertx);
      router.route().handler(BodyHandler.create(false));
      router.post("/boom").handler(ctx -> {
        throw new IllegalStateException("handler bug");
      });
      RequestLog.install(vertx, router, LogConfig.DEFAULTS);
      Errors.install(router);
      HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
      try {
        WebClient web = WebClient.create(vertx);
        assertEquals(500, web.post(server.actualPort(), "127.0.0.1", "/boom").putHeader("Authorization", "Token " + token2)
            .putHeader("Cookie", "session=" + token2).sendJsonObject(login).await().statusCode());
        web.close();
      } finally {
        server.close().await();
      }
    } finally {
      surge.setLevel(before);
    }
    String all = capture.everything();
    assertTrue(all.contains("unhandled failure") && all.contains("handler bug"), "the 500 was logged:\n" + all);
    assertTrue(capture.of(RequestLog.ACCESS_LOGGER).size() >= 8, "access lines captured:\n" + all);
    for (ILoggingEvent e : capture.events) {
      String line = capture.json(e);
      assertFalse(line.contains("pw-"), "a password in: " + line);
      assertFalse(line.contains("eyJ"), "a JWT in: " + line);
      assertFalse(line.contains(TestNode.JWT_SECRET), "the JWT secret in: " + line);
      assertFalse(line.contains("Token "), "an Authorization value in: " + line);
    }
    assertFalse(all.contains("pw-") || all.contains("eyJ") || all.contains(TestNode.JWT_SECRET), all);
  }

  /** The access line of a request; it may be written just after the client read the response. */
  private ILoggingEvent accessLine(String requestId) {
    var line = Eventually.value("the access line for " + requestId, Duration.ofSeconds(5), Duration.ofMillis(10),
        () -> capture.of(RequestLog.ACCESS_LOGGER).stream()
            .filter(e -> requestId.equals(e.getMDCPropertyMap().get(RequestContextFilter.REQUEST_ID))).findFirst(),
        java.util.Optional::isPresent);
    return line.orElseThrow();
  }

  private static Map<String, Object> fields(ILoggingEvent e) {
    Map<String, Object> out = new HashMap<>();
    for (KeyValuePair kv : Objects.requireNonNull(e.getKeyValuePairs())) out.put(kv.key, kv.value);
    return out;
  }
}
