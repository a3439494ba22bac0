package surge.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Client;
import surge.support.TestNode;

/** Redis stopped mid-test: every request still succeeds quickly, the cache is bypassed, and it resumes after a restart. */
@ExtendWith(VertxExtension.class)
class RedisDownIT {
  static TestNode.Started node;
  static Client client;

  @BeforeAll
  static void start(Vertx vertx) {
    node = TestNode.start(vertx);
    client = new Client(vertx, node.port());
    NodeStats.awaitCacheAvailable(client, 10_000);
  }

  @AfterAll
  static void stop() {
    try {
      NodeStats.redis("start");
    } finally {
      node.stop();
    }
  }

  @Test
  void requestsKeepSucceedingWithoutRedisAndCachingResumes(Vertx vertx) {
    JsonObject user = client.register("rdown");
    String token = user.getString("token");
    String slug = client.article(token, Client.unique("Rdown"), "rdown").getString("slug");
    client.get("/api/articles/" + slug); // warm

    NodeStats.redis("stop");
    try {
      long worstMs = 0;
      for (int i = 0; i < 60; i++) {
        long start = System.nanoTime();
        HttpResponse<Buffer> r = switch (i % 6) {
          case 0 -> client.get("/api/articles/" + slug);
          case 1 -> client.get("/api/articles/" + slug, token);
          case 2 -> client.get("/api/articles?limit=5");
          case 3 -> client.get("/api/tags");
          case 4 -> client.get("/api/profiles/" + user.getString("username"));
          default -> client.put("/api/articles/" + slug, token,
              new JsonObject().put("article", new JsonObject().put("description", Client.unique("d"))));
        };
        assertTrue(r.statusCode() < 300, "request " + i + ": " + r.statusCode() + " " + r.bodyAsString());
        worstMs = Math.max(worstMs, (System.nanoTime() - start) / 1_000_000);
      }
      System.out.printf("Redis down: 60 requests, slowest %d ms%n", worstMs);
      assertTrue(worstMs < 1000, "no request waits on the dead Redis: slowest " + worstMs + " ms");
      JsonObject status = NodeStats.cache(client);
      assertFalse(status.getBoolean("subscribed") && "available".equals(status.getString("redis")), status.encode());
      assertTrue(NodeStats.counter(client, "article", "fallbacks") > 0, status.encode());
    } finally {
      NodeStats.redis("start");
    }

    NodeStats.awaitCacheAvailable(client, 15_000);
    client.get("/api/articles/" + slug); // fills L2 (Redis came back empty) and L1
    NodeStats.awaitInL2(vertx, node, "article", Long.toString(surge.articles.Slugs.idOf(slug).getAsLong()));
    TestNode.Started other = TestNode.start(vertx); // a node with an empty L1 finds the article in L2
    try {
      Client onOther = new Client(vertx, other.port());
      NodeStats.awaitCacheAvailable(onOther, 10_000);
      assertEquals(200, onOther.get("/api/articles/" + slug).statusCode());
      assertTrue(NodeStats.counter(onOther, "article", "l2Hits") > 0, "L2 hits again after the restart");
    } finally {
      other.stop();
    }
    long readsBefore = NodeStats.dbReads(client);
    client.get("/api/articles/" + slug);
    assertEquals(0, NodeStats.dbReads(client) - readsBefore, "L1 serves again");
  }
}
