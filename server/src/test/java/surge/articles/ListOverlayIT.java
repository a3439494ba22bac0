package surge.articles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Client;
import surge.support.TestNode;

/**
 * Signed-in list reads from the shared page: each viewer gets their own {@code favorited} and {@code following} over
 * the page every reader shares (counted as reused pages), the shared page keeps no viewer's flags, and a viewer who
 * just wrote sees their write at once and reads from the shared page again right away.
 */
@ExtendWith(VertxExtension.class)
class ListOverlayIT {
  static TestNode.Started node;
  static Client client;

  @BeforeAll
  static void start(Vertx vertx) {
    node = TestNode.start(vertx, Map.of("events.relay", "false"));
    client = new Client(vertx, node.port());
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
  }

  static JsonObject first(String path, String token) {
    JsonArray articles = client.get(path, token).bodyAsJsonObject().getJsonArray("articles");
    assertFalse(articles.isEmpty(), path);
    return articles.getJsonObject(0);
  }

  static long reusedPages() {
    return client.get("/health/cache").bodyAsJsonObject().getJsonObject("pages").getLong("reused");
  }

  @Test
  void twoViewersOfOneCachedPageGetTheirOwnFlags() {
    JsonObject author = client.register("ovl-a");
    String tag = Client.unique("ovl");
    JsonObject article = client.article(author.getString("token"), "overlay " + tag, tag);
    String fan = client.register("ovl-b").getString("token");
    String other = client.register("ovl-c").getString("token");
    assertEquals(200, client.post("/api/articles/" + article.getString("slug") + "/favorite", fan, null).statusCode());
    assertEquals(200, client.post("/api/profiles/" + author.getString("username") + "/follow", fan, null).statusCode());
    String path = "/api/articles?tag=" + tag;

    // at once: the fan's own writes are in their page
    JsonObject seenByFan = first(path, fan);
    assertTrue(seenByFan.getBoolean("favorited"));
    assertTrue(seenByFan.getJsonObject("author").getBoolean("following"));
    assertEquals(1, seenByFan.getInteger("favoritesCount"));

    // this node applied the fan's writes: the fan reads the shared page at once, like everyone else
    JsonObject anonymous = first(path, null); // fills the shared page
    long hitsBefore = reusedPages();
    for (int i = 0; i < 3; i++) {
      JsonObject fans = first(path, fan);
      assertTrue(fans.getBoolean("favorited"), "the fan's favorite");
      assertTrue(fans.getJsonObject("author").getBoolean("following"), "the fan follows the author");
      JsonObject others = first(path, other);
      assertFalse(others.getBoolean("favorited"), "never another viewer's favorite");
      assertFalse(others.getJsonObject("author").getBoolean("following"), "never another viewer's follow");
      assertEquals(1, others.getInteger("favoritesCount"));
    }
    assertTrue(reusedPages() - hitsBefore >= 6, "signed-in pages came from the shared page");
    JsonObject anonymousAgain = first(path, null);
    assertFalse(anonymousAgain.getBoolean("favorited"), "the shared page kept no viewer's flag");
    assertFalse(anonymousAgain.getJsonObject("author").getBoolean("following"));
    assertEquals(anonymous, anonymousAgain);
  }

  @Test
  void aWriterSeesTheirOwnNewArticleInTheListAtOnce() {
    JsonObject author = client.register("ovl-w");
    String tag = Client.unique("ovlw");
    String path = "/api/articles?tag=" + tag;
    assertEquals(0, client.get(path, author.getString("token")).bodyAsJsonObject().getInteger("articlesCount"));
    client.article(author.getString("token"), "mine " + tag, tag);
    assertEquals(1, client.get(path, author.getString("token")).bodyAsJsonObject().getInteger("articlesCount"));
  }
}
