package surge.articles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import surge.db.PhysicalShard;
import surge.support.Client;
import surge.support.WithNode;
import surge.support.TestNode;

/**
 * {@code GET /articles/:slug} with the cache off reads the article, its author and the viewer's
 * flags in one statement when the viewer's follows live on the article's physical shard, and in two
 * otherwise; either way the bytes are those of the cached path (the suite's ordinary node).
 */
class UncachedArticleIT extends WithNode {
  static TestNode.Started uncached;
  static Client onUncached;

  @BeforeAll
  static void startUncached(Vertx vertx) {
    // no relay: nothing but this test's requests reads through the node's shards
    uncached = TestNode.start(vertx, Map.of("cache.enabled", "false", "events.relay", "false"));
    onUncached = new Client(vertx, uncached.port());
  }

  @AfterAll
  static void stopUncached() {
    uncached.stop();
  }

  @Test
  void everyViewerGetsTheCachedPathsBytesFromOneStatementWhereTheirFollowsLive() {
    JsonObject author = client.register("ua");
    String authorToken = author.getString("token");
    String slug = client.article(authorToken, Client.unique("Uncached"), "zeta", "alpha").getString("slug");
    PhysicalShard articleShard = shardOf(authorToken);
    String near = userOn(articleShard, true);
    String far = userOn(articleShard, false);
    follow(near, author);
    follow(far, author);
    assertEquals(200, client.post("/api/articles/" + slug + "/favorite", far, null).statusCode());
    String stranger = client.register("us").getString("token");

    assertSameBytes(slug, null, 1, "anonymous");
    assertSameBytes(slug, authorToken, 1, "the author");
    assertSameBytes(slug, near, 1, "a follower whose follows live on the article's shard");
    assertSameBytes(slug, far, 2, "a follower whose follows live on the other shard");
    assertSameBytes(slug, stranger, shardOf(stranger) == articleShard ? 1 : 2, "a user who follows nobody");

    JsonObject seenByFar = onUncached.get("/api/articles/" + slug, far).bodyAsJsonObject().getJsonObject("article");
    assertTrue(seenByFar.getBoolean("favorited"));
    assertTrue(seenByFar.getJsonObject("author").getBoolean("following"));
    JsonObject seenByNear = onUncached.get("/api/articles/" + slug, near).bodyAsJsonObject().getJsonObject("article");
    assertFalse(seenByNear.getBoolean("favorited"));
    assertTrue(seenByNear.getJsonObject("author").getBoolean("following"));
  }

  @Test
  void anOldSlugOrAnUnknownArticleIs404WithoutTheCache() {
    String token = client.register("uo").getString("token");
    String slug = client.article(token, Client.unique("Old Title")).getString("slug");
    HttpResponse<Buffer> retitled = client.put("/api/articles/" + slug, token,
        new JsonObject().put("article", new JsonObject().put("title", Client.unique("New Title"))));
    assertEquals(200, retitled.statusCode(), retitled.bodyAsString());
    assertEquals(404, onUncached.get("/api/articles/" + slug).statusCode(), "the old title's slug");
    String current = retitled.bodyAsJsonObject().getJsonObject("article").getString("slug");
    assertEquals(200, onUncached.get("/api/articles/" + current).statusCode());
    assertEquals(404, onUncached.get("/api/articles/" + current.substring(0, current.lastIndexOf('-')) + "-zzzzzzzz").statusCode());
  }

  /** The uncached node answers with the cached node's bytes, after {@code reads} database reads. */
  static void assertSameBytes(String slug, String token, long reads, String who) {
    HttpResponse<Buffer> cached = client.get("/api/articles/" + slug, token);
    long before = dbReads(onUncached);
    HttpResponse<Buffer> direct = onUncached.get("/api/articles/" + slug, token);
    long made = dbReads(onUncached) - before;
    assertEquals(200, direct.statusCode(), who + ": " + direct.bodyAsString());
    assertEquals(cached.bodyAsString(), direct.bodyAsString(), who);
    assertEquals(reads, made, who + ": database reads of one uncached article read");
  }

  /** A fresh user's token whose user lives on {@code shard} ({@code on}) or elsewhere. */
  static String userOn(PhysicalShard shard, boolean on) {
    for (int i = 0; i < 64; i++) {
      String token = client.register("uf").getString("token");
      if ((shardOf(token) == shard) == on) return token;
    }
    throw new AssertionError("no user " + (on ? "on " : "away from ") + shard.name() + " in 64 registrations");
  }

  static void follow(String token, JsonObject user) {
    assertEquals(200, client.post("/api/profiles/" + user.getString("username") + "/follow", token, null).statusCode());
  }

  static PhysicalShard shardOf(String token) {
    String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
    return uncached.node().services().shards().byId(Long.parseLong(new JsonObject(payload).getString("sub")));
  }

  /** Reads the node made so far (every shard, primary and replica), from its operator view. */
  static long dbReads(Client on) {
    long reads = 0;
    for (Object shard : on.get("/health/shards").bodyAsJsonObject().getJsonArray("shards")) {
      JsonObject counted = ((JsonObject) shard).getJsonObject("counters").getJsonObject("reads");
      reads += counted.getLong("primary") + counted.getLong("replica");
    }
    return reads;
  }
}
