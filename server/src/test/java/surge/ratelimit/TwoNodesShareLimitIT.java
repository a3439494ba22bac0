package surge.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.TestNode;

/**
 * Two nodes in this JVM (separate ports, same Redis) share one principal's limit: one client address
 * hammers both at once. Admissions must stay within {@code (quota + refill during the run) × 1.05}, and a busy
 * principal must cost at most about one Redis call per 20 requests.
 */
@ExtendWith(VertxExtension.class)
class TwoNodesShareLimitIT {
  static final int QUOTA = 300;
  static final int WINDOW = 30; // 10 tokens/s
  static TestNode.Started a;
  static TestNode.Started b;

  @BeforeAll
  static void start(Vertx vertx) {
    Map<String, String> config = Map.of("ratelimit.trustedProxyHeader", "X-Forwarded-For",
        "ratelimit.reads", QUOTA + "/" + WINDOW, "ratelimit.nodes", "2", "ratelimit.leaseSize", "20");
    a = TestNode.start(vertx, config);
    b = TestNode.start(vertx, config);
    a.node().services().limiter().ready().await();
    b.node().services().limiter().ready().await();
  }

  @AfterAll
  static void stop() {
    a.stop();
    b.stop();
  }

  @Test
  void twoNodesAdmitOneLimitBetweenThem(Vertx vertx) {
    String ip = "two-" + UUID.randomUUID();
    int total = 4000;
    int concurrency = 16; // senders per node
    WebClient onA = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(a.port()),
        new PoolOptions().setHttp1MaxSize(concurrency));
    WebClient onB = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(b.port()),
        new PoolOptions().setHttp1MaxSize(concurrency));
    JsonObject beforeA = counters(a);
    JsonObject beforeB = counters(b);
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger limited = new AtomicInteger();
    AtomicInteger other = new AtomicInteger();
    long start = System.nanoTime();
    List<Future<Void>> workers = new ArrayList<>();
    for (int i = 0; i < concurrency * 2; i++) {
      WebClient web = i % 2 == 0 ? onA : onB;
      io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
      workers.add(done.future());
      loop(web, ip, total, sent, ok, limited, other, done);
    }
    Future.all(workers).await();
    double seconds = (System.nanoTime() - start) / 1e9;
    long calls = counters(a).getLong("redisCalls") - beforeA.getLong("redisCalls")
        + counters(b).getLong("redisCalls") - beforeB.getLong("redisCalls");
    long fallbacks = counters(a).getLong("fallbacks") - beforeA.getLong("fallbacks")
        + counters(b).getLong("fallbacks") - beforeB.getLong("fallbacks");
    double limit = QUOTA + seconds * QUOTA / WINDOW;
    System.out.printf("two nodes: %d requests in %.2f s, %d admitted (limit incl. refill %.1f, %.1f%%), %d refused,"
            + " %d Redis calls (1 per %.0f requests, 1 per %.1f admitted)%n",
        total, seconds, ok.get(), limit, 100.0 * ok.get() / limit, limited.get(), calls, (double) total / calls,
        (double) ok.get() / calls);
    assertEquals(0, other.get(), "only 404 (admitted) or 429");
    assertEquals(0, fallbacks, "Redis was up throughout");
    assertTrue(ok.get() <= limit * 1.05, ok.get() + " admitted > limit " + limit + " × 1.05");
    assertTrue(ok.get() >= QUOTA * 0.9, "leases may strand a few tokens, not many: " + ok.get());
    assertTrue(calls * 20 <= total * 1.1, calls + " Redis calls for " + total + " requests");
  }

  /** A busy principal well under its limit (writes: TestNode's huge quota): one Redis call per lease of 20. */
  @Test
  void aBusyPrincipalUnderItsLimitCostsOneRedisCallPerLease(Vertx vertx) {
    String ip = "busy-" + UUID.randomUUID();
    int total = 4000;
    List<Future<Void>> workers = new ArrayList<>();
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger limited = new AtomicInteger();
    AtomicInteger other = new AtomicInteger();
    long callsBefore = counters(a).getLong("redisCalls") + counters(b).getLong("redisCalls");
    for (TestNode.Started node : List.of(a, b)) {
      WebClient web = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(node.port()),
          new PoolOptions().setHttp1MaxSize(16));
      for (int i = 0; i < 16; i++) {
        io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
        workers.add(done.future());
        loopPost(web, ip, total, sent, ok, limited, other, done);
      }
    }
    Future.all(workers).await();
    long calls = counters(a).getLong("redisCalls") + counters(b).getLong("redisCalls") - callsBefore;
    System.out.printf("busy principal under its limit on two nodes: %d requests, %d Redis calls (1 per %.1f)%n",
        total, calls, (double) total / calls);
    assertEquals(total, ok.get(), "none refused, none failed: " + limited.get() + " / " + other.get());
    assertTrue(calls <= total / 20 + 10, calls + " Redis calls for " + total + " requests");
  }

  static void loopPost(WebClient web, String ip, int total, AtomicInteger sent, AtomicInteger ok, AtomicInteger limited,
                       AtomicInteger other, io.vertx.core.Promise<Void> done) {
    if (sent.incrementAndGet() > total) {
      done.complete();
      return;
    }
    web.delete("/api/ratelimit-probe").putHeader("X-Forwarded-For", ip).send().onComplete(r -> {
      int status = r.succeeded() ? r.result().statusCode() : -1;
      if (status == 404) ok.incrementAndGet();
      else if (status == 429) limited.incrementAndGet();
      else other.incrementAndGet();
      loopPost(web, ip, total, sent, ok, limited, other, done);
    });
  }

  /** One sender: the next request when the previous answered, until {@code total} are sent over all senders. */
  static void loop(WebClient web, String ip, int total, AtomicInteger sent, AtomicInteger ok, AtomicInteger limited,
                   AtomicInteger other, io.vertx.core.Promise<Void> done) {
    if (sent.incrementAndGet() > total) {
      done.complete();
      return;
    }
    // an unrouted path: limited like any read, answered 404 without touching the database
    web.get("/api/ratelimit-probe").putHeader("X-Forwarded-For", ip).send().onComplete(r -> {
      int status = r.succeeded() ? r.result().statusCode() : -1;
      if (status == 404) ok.incrementAndGet();
      else if (status == 429) limited.incrementAndGet();
      else other.incrementAndGet();
      loop(web, ip, total, sent, ok, limited, other, done);
    });
  }

  static JsonObject counters(TestNode.Started node) {
    return node.node().services().limiter().status().getJsonObject("counters");
  }
}
