package surge.cache;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import surge.support.Client;
import surge.support.Eventually;
import surge.support.TestNode;

/** Reads a node's operator views over HTTP (loopback), and starts/stops the stack's Redis. */
final class NodeStats {
  private NodeStats() {}

  /** Database reads of the node so far (primary + replica, every physical shard) from {@code /health/shards}. */
  static long dbReads(Client client) {
    JsonObject status = client.get("/health/shards").bodyAsJsonObject();
    long reads = 0;
    for (Object shard : status.getJsonArray("shards")) {
      JsonObject r = ((JsonObject) shard).getJsonObject("counters").getJsonObject("reads");
      reads += r.getLong("primary") + r.getLong("replica");
    }
    return reads;
  }

  static JsonObject cache(Client client) {
    return client.get("/health/cache").bodyAsJsonObject();
  }

  static long counter(Client client, String cache, String name) {
    return cache(client).getJsonObject("caches").getJsonObject(cache).getLong(name);
  }

  /** List pages this node served from one it had assembled before ({@code /health/cache} {@code pages.reused}). */
  static long reusedPages(Client client) {
    return cache(client).getJsonObject("pages").getLong("reused");
  }

  /** {@code bin/stack redis <action>}. */
  static void redis(String action) {
    surge.support.Stack.run("redis", action);
  }


  /** Waits until the node's cache is usable again (subscribed, breaker closed). */
  static void awaitCacheAvailable(Client client, long timeoutMs) {
    Eventually.value("the node's cache available", Duration.ofMillis(timeoutMs), Duration.ofMillis(100), () -> cache(client),
        c -> c.getBoolean("subscribed") && "available".equals(c.getString("redis")));
  }

  /**
   * Waits until the node's L2 (in Redis) holds {@code key} of {@code cache} (e.g. "article" and an id): readers send L2
   * fills without awaiting them. Looks for the key under any namespace ({@code surge:cache:<databases>:<cache>:<key>}).
   */
  static void awaitInL2(Vertx vertx, TestNode.Started node, String cache, String key) {
    Redis redis = Redis.createClient(vertx, "redis://" + node.config().redis().host() + ":" + node.config().redis().port());
    try {
      Eventually.async("L2 holds " + cache + " " + key, Duration.ofSeconds(5),
          () -> redis.send(Request.cmd(Command.KEYS).arg("surge:cache:*:" + cache + ":" + key)).map(Response::size),
          found -> found > 0);
    } finally {
      redis.close();
    }
  }
}
