package surge.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.ErrorShape;
import surge.support.Eventually;
import surge.support.TestNode;

/**
 * Issue 6: operators change the number of HTTP verticle instances of a running node through the management server's
 * authenticated endpoint, while clients keep sending requests; none of them fails.
 *
 * <p>The clients behave as HTTP clients must with keep-alive (RFC 9112 §9.3.1): a connection may be closed by the
 * server while idle, and an idempotent request that found its connection closed before any response is sent again,
 * once. A removed instance closes its idle connections; its responses in flight carry {@code Connection: close}.
 */
@ExtendWith(VertxExtension.class)
class AdminIT {
  static final String TOKEN = "admin-token-admin-token-0123";
  static TestNode.Started node;
  static WebClient admin;
  static WebClient api;

  @BeforeAll
  static void start(Vertx vertx) {
    node = TestNode.start(vertx, Map.of("http.instances", "2", "management.token", TOKEN, "events.relay", "false"));
    admin = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(node.node().managementPort()));
    api = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(node.port()),
        new PoolOptions().setHttp1MaxSize(8));
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
  }

  @Test
  void theEndpointsNeedTheToken() {
    assertEquals(401, admin.get("/admin/http/instances").send().await().statusCode());
    assertEquals(401, admin.get("/admin/http/instances").bearerTokenAuthentication("wrong-token-wrong-token").send()
        .await().statusCode());
    HttpResponse<Buffer> r = admin.get("/admin/http/instances").bearerTokenAuthentication(TOKEN).send().await();
    assertEquals(200, r.statusCode());
    assertTrue(r.bodyAsJsonObject().getInteger("instances") >= 1);
    assertEquals(422, put(new JsonObject().put("instances", 0)).statusCode());
    assertEquals(422, put(new JsonObject().put("instances", "many")).statusCode());
    assertEquals(404, api.get("/admin/http/instances").bearerTokenAuthentication(TOKEN).send().await().statusCode(),
        "not on the API port");
  }

  @Test
  void errorsOfTheManagementServerHaveTheApiShape() {
    HttpResponse<Buffer> noToken = admin.get("/admin/http/instances").send().await();
    assertEquals("is missing or wrong", ErrorShape.assertClientError(noToken).getJsonArray("token").getString(0));
    HttpResponse<Buffer> tooMany = put(new JsonObject().put("instances", 100_000));
    assertTrue(ErrorShape.assertError(tooMany, 422, "instances").getJsonArray("instances").getString(0)
        .startsWith("must be a whole number"));
    HttpResponse<Buffer> unknown = admin.get("/no-such-view").send().await();
    assertEquals("not found", ErrorShape.assertError(unknown, 404, "route").getJsonArray("route").getString(0));
  }

  @Test
  void instancesChangeWhileRequestsKeepSucceeding() throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger retried = new AtomicInteger();
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      Thread t = new Thread(() -> {
        while (running.get()) {
          try {
            int status = getRetryingIfClosed("/api/tags", retried);
            if (status == 200) ok.incrementAndGet();
            else failures.add("status " + status);
          } catch (RuntimeException e) {
            failures.add(String.valueOf(e));
          }
        }
      });
      t.start();
      clients.add(t);
    }
    try {
      for (int wanted : new int[] {4, 1, 3, 2}) {
        HttpResponse<Buffer> r = put(new JsonObject().put("instances", wanted));
        assertEquals(200, r.statusCode(), r.bodyAsString());
        assertEquals(wanted, r.bodyAsJsonObject().getInteger("instances"));
        Eventually.pause(300); // the clients keep sending at this count for a while: that traffic is the test
      }
    } finally {
      running.set(false);
      for (Thread t : clients) t.join(10_000);
    }
    assertTrue(ok.get() > 0, "requests were served throughout");
    assertEquals(List.of(), failures, "no request failed while instances came and went (" + ok + " served, "
        + retried + " times a request was sent again after finding an idle connection closed)");
    System.out.printf("scaling under load: %d requests served, %d retries on a closed idle connection%n", ok.get(), retried.get());
  }

  /**
   * What HTTP clients do with an idempotent request whose keep-alive connection the server closed before answering:
   * send it again. Scaling 4 → 1 closes the idle connections of three instances at once, so the next pooled
   * connection may be closing too: a few tries, each counted.
   */
  private static int getRetryingIfClosed(String path, AtomicInteger retried) {
    for (int attempt = 1; ; attempt++) {
      try {
        return api.get(path).send().await().statusCode();
      } catch (io.vertx.core.http.HttpClosedException closed) {
        if (attempt == 3) throw closed;
        retried.incrementAndGet();
      }
    }
  }

  private static HttpResponse<Buffer> put(JsonObject body) {
    return admin.put("/admin/http/instances").bearerTokenAuthentication(TOKEN).sendJsonObject(body).await();
  }
}
