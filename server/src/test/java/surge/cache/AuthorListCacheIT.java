package surge.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import surge.support.Client;
import surge.support.Eventually;

/**
 * Anonymous {@code GET /articles?author=} pages come from the list cache, and every write that can
 * change one is seen at once on the node that took it and within a bound on another node (two
 * nodes, two Vert.x instances, one Redis). The list TTL is a minute, so only invalidation can make
 * a page fresh within these tests.
 */
class AuthorListCacheIT {
  static final long OTHER_NODE_BOUND_MS = 1_000;
  static NodePair nodes;
  static Client onA;
  static Client onB;

  @BeforeAll
  static void start() {
    Map<String, String> ttl = Map.of("cache.listTtlMs", "60000", "cache.entityTtlMs", "60000");
    nodes = NodePair.start(ttl);
    onA = nodes.onA();
    onB = nodes.onB();
  }

  @AfterAll
  static void stop() {
    nodes.close();
  }

  static JsonObject page(Client on, String query) {
    HttpResponse<Buffer> r = on.get("/api/articles" + query);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  static long count(JsonObject page) {
    return page.getLong("articlesCount");
  }

  static List<String> titles(JsonObject page) {
    List<String> out = new ArrayList<>();
    for (Object item : page.getJsonArray("articles")) out.add(((JsonObject) item).getString("title"));
    return out;
  }

  /** Reads the page on both nodes, so that both hold it in L1 before the next write. */
  static void warm(String query) {
    page(onA, query);
    page(onB, query);
  }

  /** The page answers {@code fresh} on A at once (it took the write) and on B within the bound. */
  static void seen(String query, Predicate<JsonObject> fresh, String what) {
    JsonObject onWriter = page(onA, query);
    assertTrue(fresh.test(onWriter), what + " on the writing node, at once: " + onWriter.encode());
    Eventually.value(what + " on the other node", Duration.ofMillis(OTHER_NODE_BOUND_MS), Duration.ofMillis(5),
        () -> page(onB, query), fresh);
  }

  @Test
  void aSecondAnonymousReadOfAnAuthorPageMakesNoDatabaseRead() {
    JsonObject author = onA.register("alc");
    onA.article(author.getString("token"), Client.unique("Cached"));
    String query = "?author=" + author.getString("username");
    // Other suites on this Redis and these databases write too; a write to this author between the two reads would
    // make the second one a miss, so a few tries are allowed. An uncached page never passes.
    for (int attempt = 0; attempt < 5; attempt++) {
      JsonObject first = page(onA, query);
      long readsBefore = NodeStats.dbReads(onA);
      long reusedBefore = NodeStats.reusedPages(onA);
      JsonObject second = page(onA, query);
      assertEquals(first, second);
      if (NodeStats.dbReads(onA) == readsBefore && NodeStats.reusedPages(onA) == reusedBefore + 1) return;
    }
    throw new AssertionError("a hot anonymous author page was read from the database in 5 tries out of 5");
  }

  @Test
  void authorPagesFollowArticleWritesFavoritesAndProfileChanges() {
    JsonObject author = onA.register("alw");
    String token = author.getString("token");
    String name = author.getString("username");
    String byAuthor = "?author=" + name;
    String secondPage = byAuthor + "&limit=1&offset=1";
    String firstSlug = onA.article(token, Client.unique("First")).getString("slug");
    warm(byAuthor);
    warm(secondPage);

    String secondSlug = onA.article(token, Client.unique("Second")).getString("slug");
    seen(byAuthor, p -> count(p) == 2, "a new article");
    seen(secondPage, p -> titles(p).size() == 1 && titles(p).get(0).startsWith("First"), "a new article moves the older one down");

    String retitled = Client.unique("Retitled");
    HttpResponse<Buffer> put = onA.put("/api/articles/" + firstSlug, token,
        new JsonObject().put("article", new JsonObject().put("title", retitled)));
    assertEquals(200, put.statusCode(), put.bodyAsString());
    firstSlug = put.bodyAsJsonObject().getJsonObject("article").getString("slug");
    seen(byAuthor, p -> titles(p).contains(retitled), "an updated article");

    String fan = onA.register("alf").getString("token");
    assertEquals(200, onA.post("/api/articles/" + firstSlug + "/favorite", fan, null).statusCode());
    seen(byAuthor, p -> p.getJsonArray("articles").getJsonObject(1).getInteger("favoritesCount") == 1, "a favorite");
    assertEquals(200, onA.delete("/api/articles/" + firstSlug + "/favorite", fan).statusCode());
    seen(byAuthor, p -> p.getJsonArray("articles").getJsonObject(1).getInteger("favoritesCount") == 0, "an unfavorite");

    String bio = Client.unique("bio");
    assertEquals(200, onA.put("/api/user", token, new JsonObject().put("user", new JsonObject().put("bio", bio))).statusCode());
    seen(byAuthor, p -> bio.equals(p.getJsonArray("articles").getJsonObject(0).getJsonObject("author").getString("bio")),
        "the author's new bio");

    assertEquals(204, onA.delete("/api/articles/" + secondSlug, token).statusCode());
    seen(byAuthor, p -> count(p) == 1 && titles(p).equals(List.of(retitled)), "a deleted article");
  }

  @Test
  void aRenameEmptiesTheOldNamesPageAndFillsTheNewOnes() {
    JsonObject author = onA.register("alr");
    String token = author.getString("token");
    String oldName = author.getString("username");
    String newName = Client.unique("alr");
    onA.article(token, Client.unique("Renamed"));
    warm("?author=" + oldName);
    warm("?author=" + newName); // nobody bears it yet: an empty page, cached
    HttpResponse<Buffer> renamed = onA.put("/api/user", token,
        new JsonObject().put("user", new JsonObject().put("username", newName)));
    assertEquals(200, renamed.statusCode(), renamed.bodyAsString());
    seen("?author=" + oldName, p -> count(p) == 0, "the old name's page after the rename");
    seen("?author=" + newName, p -> count(p) == 1 && p.getJsonArray("articles").getJsonObject(0)
        .getJsonObject("author").getString("username").equals(newName), "the new name's page after the rename");
  }

  @Test
  void aNameNobodyBearsIsCachedEmptyAndShowsItsFirstArticle() {
    String name = Client.unique("aln");
    String query = "?author=" + name;
    warm(query);
    JsonObject user = new JsonObject().put("username", name).put("email", name + "@example.com").put("password", "password-" + name);
    HttpResponse<Buffer> registered = onA.post("/api/users", null, new JsonObject().put("user", user));
    assertEquals(201, registered.statusCode(), registered.bodyAsString());
    // A registration moves no generation: the cached empty page is what a user without articles gets.
    assertEquals(new JsonObject().put("articles", new io.vertx.core.json.JsonArray()).put("articlesCount", 0), page(onB, query));
    onA.article(registered.bodyAsJsonObject().getJsonObject("user").getString("token"), Client.unique("Debut"));
    seen(query, p -> count(p) == 1, "the first article of a new name");
  }

  @Test
  void authorTagAndGlobalPagesNeverShareAKey() {
    JsonObject x = onA.register("alx");
    JsonObject y = onA.register("aly");
    String tag = Client.unique("t");
    onA.article(x.getString("token"), Client.unique("X tagged"), tag);
    onA.article(x.getString("token"), Client.unique("X plain"));
    onA.article(y.getString("token"), Client.unique("Y tagged"), tag);
    for (int round = 0; round < 2; round++) { // the second round is served from the cache
      assertEquals(2, count(page(onA, "?tag=" + tag)), "by tag, round " + round);
      assertEquals(2, count(page(onA, "?author=" + x.getString("username"))), "by author, round " + round);
      assertEquals(1, count(page(onA, "?author=" + x.getString("username") + "&tag=" + tag)), "author and tag, round " + round);
      assertEquals(1, count(page(onA, "?tag=" + tag + "&author=" + y.getString("username"))), "tag and author, round " + round);
      assertEquals(1, page(onA, "?author=" + x.getString("username") + "&limit=1").getJsonArray("articles").size(),
          "limit 1, round " + round);
      assertEquals(0, count(page(onA, "?author=" + x.getString("username") + "&tag=a" + tag)), "another tag, round " + round);
    }
  }
}
