package surge.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.redis.RedisConfig;
import surge.support.TestNode;

/**
 * A lease reply that is already in when the limiter attaches its callback must not leave the key "in flight".
 *
 * <p>Under load the Redis reply is read on another event loop, and it can complete the call before the thread
 * that sent it has attached its callback (that thread was descheduled for a moment). The callback then runs
 * inline on the sending thread. Before the fix the finished call stayed marked in flight for good, so every
 * later request of that principal waited on it, retried {@code MAX_ATTEMPTS} times and got a 429: the
 * unexplained 429s of the read-auth, mixed and write-heavy benchmarks. This test makes the race certain: the
 * real Redis client is wrapped so that {@code send} returns only once the reply has arrived. (Since the Redis calls go
 * through the circuit breaker, whose completion hops through the caller's context, the reply reaches the limiter
 * asynchronously and this no longer happens through that path; the test keeps the guard honest should that change.)
 */
@ExtendWith(VertxExtension.class)
class EarlyReplyIT {

  /**
   * Delegates to a real client, but returns only once the reply is in (waiting on the test thread, never on an
   * event loop), as a future without a context: its callbacks run inline on the thread that attaches them, as they
   * do on the sending event loop when another one has read the reply first.
   */
  private record AnsweredRedis(Redis real) implements Redis {
    @Override
    public Future<Response> send(Request request) {
      Future<Response> reply = real.send(request);
      reply.otherwiseEmpty().await();
      return reply.succeeded() ? Future.succeededFuture(reply.result()) : Future.failedFuture(reply.cause());
    }

    @Override
    public Future<RedisConnection> connect() {
      return real.connect();
    }

    @Override
    public Future<Void> close() {
      return real.close();
    }

    @Override
    public Future<List<Response>> batch(List<Request> requests) {
      return real.batch(requests);
    }
  }

  @Test
  void aReplyThatArrivedFirstStillEndsTheCall(Vertx vertx) {
    int leaseSize = 5;
    Policy reads = new Policy("reads", 1_000_000, 60); // far above what the test asks for
    RateLimits config = new RateLimits(true, reads, new Policy("writes", 100, 60), new Policy("auth", 10, 60),
        new Policy("login", 5, 300), "", leaseSize, 1, 60_000, 2000);
    RedisConfig stack = TestNode.redis(2000, 3);
    Redis real = Redis.createClient(vertx, new RedisOptions().setConnectionString("redis://" + stack.host() + ":" + stack.port()));
    Limiter limiter = new Limiter(vertx, new AnsweredRedis(real), config, stack);
    try {
      String principal = "early-" + UUID.randomUUID();
      int requests = leaseSize * 10;
      int allowed = 0;
      for (int i = 0; i < requests; i++) {
        if (limiter.acquire(reads, principal).await().allowed()) allowed++;
      }
      JsonObject counters = limiter.status().getJsonObject("counters");
      assertEquals(requests, allowed, "every request is within the quota: " + counters);
      assertEquals(0, counters.getLong("redisFailures"), "Redis answered every call: " + counters);
      assertTrue(counters.getLong("redisCalls") >= 2, "more than one lease: " + counters);
    } finally {
      limiter.close().await();
    }
  }
}
