package surge.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import surge.articles.Slugs;
import surge.support.Client;
import surge.support.Eventually;

/**
 * Two Surge nodes in two separate Vert.x instances (so no shared event bus) against the same
 * databases and Redis: a write on A evicts B's in-process copy within a bounded time, the writer
 * never reads its own write stale on either node, concurrent cold reads make one database read,
 * and a change the cache never heard of is visible after at most the TTL.
 */
class CacheInvalidationIT {
  static final int ENTITY_TTL_S = 2;
  static final int LIST_TTL_S = 1;
  static NodePair nodes;
  static Client onA;
  static Client onB;

  @BeforeAll
  static void start() {
    Map<String, String> ttl = Map.of("cache.entityTtlMs", "" + ENTITY_TTL_S * 1000, "cache.listTtlMs", "" + LIST_TTL_S * 1000);
    nodes = NodePair.start(ttl);
    onA = nodes.onA();
    onB = nodes.onB();
  }

  @AfterAll
  static void stop() {
    nodes.close();
  }

  static JsonObject article(Client c, String slug, String token) {
    HttpResponse<Buffer> r = c.get("/api/articles/" + slug, token);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getJsonObject("article");
  }

  static String retitle(String slug, String token, String title) {
    HttpResponse<Buffer> r = onA.put("/api/articles/" + slug, token,
        new JsonObject().put("article", new JsonObject().put("title", title)));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getJsonObject("article").getString("slug");
  }

  @Test
  void aWriteOnAEvictsBsCopyWithinABoundAndTheWriterNeverReadsStale() {
    String token = onA.register("inv").getString("token");
    String slug = onA.article(token, Client.unique("Inv")).getString("slug");
    long worstMs = 0;
    for (int i = 0; i < 20; i++) {
      article(onB, slug, null); // B caches it (L1)
      article(onB, slug, null);
      String desc = Client.unique("desc " + i);
      HttpResponse<Buffer> put = onA.put("/api/articles/" + slug, token,
          new JsonObject().put("article", new JsonObject().put("description", desc)));
      assertEquals(200, put.statusCode());
      // the writer, on the other node, at once
      assertEquals(desc, article(onB, slug, token).getString("description"), "writer on B right after the write #" + i);
      assertEquals(desc, article(onA, slug, token).getString("description"), "writer on A right after the write #" + i);
      assertEquals(desc, article(onA, slug, null).getString("description"), "anonymous on the writing node #" + i);
      long start = System.nanoTime();
      Eventually.until("B's L1 fresh within 1 s #" + i, Duration.ofSeconds(1), Duration.ofMillis(2),
          () -> desc.equals(article(onB, slug, null).getString("description")));
      worstMs = Math.max(worstMs, (System.nanoTime() - start) / 1_000_000);
    }
    System.out.printf("cross-node invalidation: anonymous reader on B fresh within %d ms (worst of 20)%n", worstMs);
    assertTrue(NodeStats.counter(onB, "article", "invalidations") > 0);
  }

  @Test
  void listsAndTagsFollowWritesOnTheOtherNode() {
    String token = onA.register("invl").getString("token");
    String tag = Client.unique("tag");
    onA.article(token, Client.unique("First"), tag);
    assertEquals(1, onB.get("/api/articles?tag=" + tag).bodyAsJsonObject().getInteger("articlesCount"));
    onB.get("/api/tags");
    String second = onA.article(token, Client.unique("Second"), tag).getString("title");
    Eventually.value("B's list fresh within 1 s", Duration.ofSeconds(1), Duration.ofMillis(2),
        () -> onB.get("/api/articles?tag=" + tag).bodyAsJsonObject().getInteger("articlesCount"), count -> count == 2);
    assertEquals(second, onB.get("/api/articles?tag=" + tag).bodyAsJsonObject().getJsonArray("articles")
        .getJsonObject(0).getString("title"));
    assertTrue(onB.get("/api/tags").bodyAsJsonObject().getJsonArray("tags").contains(tag));
  }

  @Test
  void coldConcurrentReadsMakeOneDatabaseReadAndHotReadsNone() {
    String token = onA.register("cold").getString("token");
    String slug = onA.article(token, Client.unique("Cold")).getString("slug");
    WebClient web = WebClient.create(nodes.vertxB(), new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(nodes.b().port()),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(50));
    long readsBefore = NodeStats.dbReads(onB);
    long loadsBefore = NodeStats.counter(onB, "article", "loads");
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < 50; i++) all.add(web.get("/api/articles/" + slug).send());
    Future.all(all).await();
    for (Future<HttpResponse<Buffer>> r : all) assertEquals(200, r.result().statusCode());
    long articleLoads = NodeStats.counter(onB, "article", "loads") - loadsBefore;
    long reads = NodeStats.dbReads(onB) - readsBefore;
    System.out.printf("50 concurrent cold reads: %d article load(s), %d database read(s) (article + its author)%n",
        articleLoads, reads);
    assertEquals(1, articleLoads, "one article load for 50 concurrent cold reads");
    assertTrue(reads <= 2, "at most the article and its author's profile were read: " + reads);

    long hotBefore = NodeStats.dbReads(onB);
    for (int i = 0; i < 20; i++) article(onB, slug, null);
    assertEquals(0, NodeStats.dbReads(onB) - hotBefore, "a hot anonymous article read makes no database query");
    web.close();
  }

  @Test
  void aChangeTheCacheNeverHeardOfIsVisibleWithinTheTtl() {
    String token = onA.register("stale").getString("token");
    JsonObject created = onA.article(token, Client.unique("Stale"));
    String slug = created.getString("slug");
    long id = Slugs.idOf(slug).getAsLong();
    // Cached on B (L1) and in Redis (L2). The L2 fill is not awaited, and need not be: the copy there carries the same
    // expiry as B's L1 copy, so whenever it lands it cannot keep the old value past the TTL.
    article(onB, slug, null);
    String desc = Client.unique("behind the cache's back");
    // a change made without the application (no invalidation): only the TTL can bring it
    nodes.b().node().services().shards().byId(id).primary()
        .preparedQuery("UPDATE articles SET description = $1 WHERE id = $2").execute(Tuple.of(desc, id)).await();
    long start = System.nanoTime();
    assertTrue(!desc.equals(article(onB, slug, null).getString("description")), "served from the cache at first");
    Eventually.until("visible within the entity TTL bound (" + ENTITY_TTL_S + " s + 10 % jitter)",
        Duration.ofMillis(ENTITY_TTL_S * 1100L + 300), Duration.ofMillis(20),
        () -> desc.equals(article(onB, slug, null).getString("description")));
    System.out.printf("uninvalidated change visible after %d ms (entity TTL %d s)%n",
        (System.nanoTime() - start) / 1_000_000, ENTITY_TTL_S);
  }
}
