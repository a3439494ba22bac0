package surge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Client;
import surge.support.TestNode;

/**
 * Issue 6: SIGTERM's path ({@code Surge.shutdown}). Readiness turns false first; the node keeps serving through the
 * drain delay, then stops listening, and the requests in flight (slow registrations: production-grade Argon2 on the
 * worker pool) all finish with their normal answer; a connection attempted afterwards is refused, not left hanging.
 */
@ExtendWith(VertxExtension.class)
class ShutdownIT {
  static final int DRAIN_MS = 3000;
  static TestNode.Started node;
  static boolean shutDown;
  static WebClient web;
  /** Health checks on connections of their own, not queued behind the slow requests. */
  static WebClient probe;

  @BeforeAll
  static void start(Vertx vertx) {
    node = TestNode.start(vertx, Map.of("shutdown.drainDelayMs", Integer.toString(DRAIN_MS),
        // a generous grace: on a loaded machine the registrations may take long, and the test is about not cutting them
        "shutdown.graceMs", "120000", "passwords.memoryKib", "65536", "passwords.iterations", "3",
        "workers.poolSize", "2", "http.requestTimeoutMs", "0")); // slow on purpose: no request timeout
    web = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(node.port()),
        new PoolOptions().setHttp1MaxSize(32));
    probe = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(node.port()));
  }

  @AfterAll
  static void stop() {
    if (node != null && !shutDown) node.stop();
  }

  @Test
  void readinessGoesFirstAndNoRequestInFlightIsCut() throws Exception {
    assertEquals(200, web.get("/health/ready").send().await().statusCode());
    List<Future<HttpResponse<Buffer>>> inFlight = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      String name = Client.unique("sd");
      JsonObject user = new JsonObject().put("username", name).put("email", name + "@example.com")
          .put("password", "password-" + name);
      inFlight.add(web.post("/api/users").sendJsonObject(new JsonObject().put("user", user)));
    }
    long shutdownAt = System.nanoTime();
    java.util.concurrent.atomic.AtomicLong lastAnswerMs = new java.util.concurrent.atomic.AtomicLong();
    List<Future<HttpResponse<Buffer>>> timed = new ArrayList<>();
    for (Future<HttpResponse<Buffer>> f : inFlight) {
      timed.add(f.andThen(done -> lastAnswerMs.accumulateAndGet((System.nanoTime() - shutdownAt) / 1_000_000, Math::max)));
    }
    Future<Void> stopped = node.node().shutdown();
    shutDown = true;

    HttpResponse<Buffer> ready = probe.get("/health/ready").send().await();
    assertEquals(503, ready.statusCode(), "not ready while draining");
    assertEquals("5", ready.getHeader("Retry-After"));
    assertEquals(200, probe.get("/health/live").send().await().statusCode(), "still serving during the drain delay");

    Future.join(timed).await();
    for (Future<HttpResponse<Buffer>> r : inFlight) {
      assertEquals(201, r.result().statusCode(), r.result().bodyAsString());
    }
    // The premise: some registrations were still running when the node stopped listening (after the drain delay).
    assertTrue(lastAnswerMs.get() > DRAIN_MS, "no request was in flight at the stop (last answer after " + lastAnswerMs + " ms)");
    stopped.await();
    assertTrue(stopped.succeeded());
    Vertx other = Vertx.vertx();
    try {
      WebClient fresh = WebClient.create(other, new WebClientOptions().setDefaultHost("127.0.0.1")
          .setDefaultPort(node.port()).setConnectTimeout(2000));
      assertThrows(java.net.ConnectException.class, () -> fresh.get("/health/live").send().await(), "no longer listening");
    } finally {
      other.close().await();
    }
  }
}
