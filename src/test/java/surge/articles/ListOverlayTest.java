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
import surge.cache.TwoLevelCache;
import surge.support.Client;
import surge.support.TestNode;
import surge.support.Wait;

/**
 * Signed-in list reads from the shared page: each viewer gets their own {@code favorited} and {@code following} over
 * the page every reader shares (counted as cache hits), the shared page keeps no viewer's flags, and a viewer who just
 * wrote sees their write at once (their reads skip the cache for a few seconds).
 */
@ExtendWith(VertxExtension.class)
class ListOverlayTest {
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

    // once the fan's recent-writer window is over, both read the shared page, each with their own flags
    Wait.sleep(11_000);
    TwoLevelCache<?> lists = node.node().services().caches().lists();
    JsonObject anonymous = first(path, null); // fills the shared page
    long hitsBefore = lists.l1HitCount();
    for (int i = 0; i < 3; i++) {
      JsonObject fans = first(path, fan);
      assertTrue(fans.getBoolean("favorited"), "the fan's favorite");
      assertTrue(fans.getJsonObject("author").getBoolean("following"), "the fan follows the author");
      JsonObject others = first(path, other);
      assertFalse(others.getBoolean("favorited"), "never another viewer's favorite");
      assertFalse(others.getJsonObject("author").getBoolean("following"), "never another viewer's follow");
      assertEquals(1, others.getInteger("favoritesCount"));
    }
    assertTrue(lists.l1HitCount() - hitsBefore >= 6, "signed-in pages came from the shared page");
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
