package surge.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import surge.support.Client;
import surge.support.Eventually;

/**
 * Writes invalidate what they touch and no more, on two nodes sharing Redis and the databases: a favorite or an edit
 * changes one article entry (list membership stays cached, counted as list loads), every page showing the article
 * shows the change, pages of other tags and authors are reused as they were, a new article moves only the pages it
 * appears on, and the writer reads each of their own writes at once through the other node.
 */
class TargetedInvalidationIT {
  /** How long the other node may show the old copy (an invalidation message on loopback takes milliseconds). */
  static final long OTHER_NODE_BOUND_MS = 2_000;
  static NodePair nodes;
  static Client onA;
  static Client onB;

  @BeforeAll
  static void start() {
    nodes = NodePair.start(Map.of("events.relay", "false"));
    onA = nodes.onA();
    onB = nodes.onB();
  }

  @AfterAll
  static void stop() {
    nodes.close();
  }

  static JsonObject page(Client c, String query, String token) {
    HttpResponse<Buffer> r = c.get("/api/articles" + query, token);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  static JsonObject only(JsonObject page) {
    JsonArray articles = page.getJsonArray("articles");
    assertEquals(1, articles.size(), page.encode());
    return articles.getJsonObject(0);
  }

  static void ok(HttpResponse<Buffer> r) {
    assertTrue(r.statusCode() < 300, r.statusCode() + " " + r.bodyAsString());
  }

  /** Waits until B's anonymous page shows what {@code fresh} expects; fails after the bound. */
  static void onBWithin(String query, Predicate<JsonObject> fresh, String what) {
    Eventually.value(what + " on B", Duration.ofMillis(OTHER_NODE_BOUND_MS), Duration.ofMillis(5),
        () -> page(onB, query, null), fresh);
  }

  static long listLoads(Client c) {
    return NodeStats.counter(c, "list", "loads");
  }

  @Test
  void aFavoriteOrAnEditChangesOneEntryWhileNewArticlesMoveOnlyTheirPages() {
    JsonObject x = onA.register("tix");
    JsonObject y = onA.register("tiy");
    String tagA = Client.unique("tia");
    String tagB = Client.unique("tib");
    String slug = onA.article(x.getString("token"), Client.unique("Touched"), tagA).getString("slug");
    onA.article(y.getString("token"), Client.unique("Bystander"), tagB);
    String fan = onA.register("tif").getString("token");
    List<String> touched = List.of("?tag=" + tagA, "?author=" + x.getString("username"));
    List<String> unrelated = List.of("?tag=" + tagB, "?author=" + y.getString("username"));
    for (String q : touched) page(onB, q, null);
    for (String q : unrelated) page(onB, q, null);

    long loadsBefore = listLoads(onB);
    long articleLoadsBefore = NodeStats.counter(onB, "article", "loads");
    ok(onA.post("/api/articles/" + slug + "/favorite", fan, null));
    for (String q : touched) onBWithin(q, p -> only(p).getInteger("favoritesCount") == 1, "the favorite in " + q);
    String description = Client.unique("edited");
    ok(onA.put("/api/articles/" + slug, x.getString("token"),
        new JsonObject().put("article", new JsonObject().put("description", description))));
    for (String q : touched) onBWithin(q, p -> description.equals(only(p).getString("description")), "the edit in " + q);
    long reusedBefore = NodeStats.reusedPages(onB);
    for (String q : unrelated) page(onB, q, null);
    assertEquals(2, NodeStats.reusedPages(onB) - reusedBefore, "pages without the article were reused as they were");
    assertEquals(0, listLoads(onB) - loadsBefore, "a favorite and an edit reload no list membership");
    assertTrue(NodeStats.counter(onB, "article", "loads") > articleLoadsBefore, "the article entry was reloaded");

    // a new article moves its own tag's and author's pages only
    String added = Client.unique("Added");
    onA.article(y.getString("token"), added, tagB);
    onBWithin("?tag=" + tagB, p -> p.getInteger("articlesCount") == 2, "the new article in its tag's page");
    onBWithin("?author=" + y.getString("username"), p -> p.getInteger("articlesCount") == 2, "the new article in its author's page");
    reusedBefore = NodeStats.reusedPages(onB);
    for (String q : touched) page(onB, q, null);
    assertEquals(2, NodeStats.reusedPages(onB) - reusedBefore, "pages of other tags and authors stay as they were");

    // re-tagging moves the tags gained and lost
    String tagC = Client.unique("tic");
    ok(onA.put("/api/articles/" + slug, x.getString("token"),
        new JsonObject().put("article", new JsonObject().put("tagList", new JsonArray().add(tagC)))));
    onBWithin("?tag=" + tagC, p -> p.getInteger("articlesCount") == 1, "the re-tagged article under its new tag");
    onBWithin("?tag=" + tagA, p -> p.getInteger("articlesCount") == 0, "the re-tagged article gone from its old tag");
  }

  @Test
  void aWriterReadsTheirOwnWritesAtOnceThroughTheOtherNode() {
    JsonObject author = onA.register("tiw");
    JsonObject writer = onA.register("tiv");
    String token = writer.getString("token");
    String name = author.getString("username");
    for (int i = 0; i < 10; i++) {
      String tag = Client.unique("tiw" + i);
      String slug = onA.article(author.getString("token"), Client.unique("Theirs " + i), tag).getString("slug");
      String query = "?tag=" + tag;
      page(onB, query, token); // B caches the page, the article, the author and the writer's own sets
      onB.get("/api/profiles/" + name, token);

      ok(onA.post("/api/articles/" + slug + "/favorite", token, null));
      JsonObject seen = only(page(onB, query, token));
      assertEquals(true, seen.getBoolean("favorited"), "own favorite in B's list #" + i);
      assertEquals(1, seen.getInteger("favoritesCount"), "own favorite counted in B's list #" + i);

      String follow = "/api/profiles/" + name + "/follow";
      ok(i % 2 == 0 ? onA.post(follow, token, null) : onA.delete(follow, token));
      boolean following = i % 2 == 0;
      JsonObject profile = onB.get("/api/profiles/" + name, token).bodyAsJsonObject().getJsonObject("profile");
      assertEquals(following, profile.getBoolean("following"), "own follow on B's profile #" + i);
      assertEquals(following, only(page(onB, query, token)).getJsonObject("author").getBoolean("following"),
          "own follow in B's list #" + i);

      String mine = Client.unique("Mine " + i);
      page(onB, query.replace(tag, tag + "m"), token);
      onA.article(token, mine, tag + "m");
      assertEquals(mine, only(page(onB, query.replace(tag, tag + "m"), token)).getString("title"), "own article in B's list #" + i);
      JsonArray tags = onB.get("/api/tags", token).bodyAsJsonObject().getJsonArray("tags");
      assertTrue(tags.contains(tag + "m"), "own article's tag in B's tag list #" + i);

      String body = Client.unique("comment " + i);
      ok(onA.post("/api/articles/" + slug + "/comments", token,
          new JsonObject().put("comment", new JsonObject().put("body", body))));
      JsonArray comments = onB.get("/api/articles/" + slug + "/comments", token).bodyAsJsonObject().getJsonArray("comments");
      assertTrue(comments.stream().anyMatch(c -> body.equals(((JsonObject) c).getString("body"))), "own comment on B #" + i);
    }
  }
}
