package surge.cache;

import io.vertx.core.json.JsonObject;
import surge.support.Client;
import surge.support.Wait;

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
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      JsonObject c = cache(client);
      if (c.getBoolean("subscribed") && "available".equals(c.getString("redis"))) return;
      if (System.currentTimeMillis() > deadline) throw new AssertionError("cache not available after " + timeoutMs + " ms: " + c);
      Wait.sleep(100);
    }
  }
}
