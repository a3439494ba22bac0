package surge.articles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static surge.support.ErrorShape.assertOnlyError;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import surge.support.Client;
import surge.support.WithNode;

/** POST/DELETE /articles/:slug/favorite and the per-viewer favorited flag. */
class FavoritesIT extends WithNode {

  static JsonObject favorite(String slug, String token) {
    HttpResponse<Buffer> r = client.post("/api/articles/" + slug + "/favorite", token, null);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getJsonObject("article");
  }

  static JsonObject unfavorite(String slug, String token) {
    HttpResponse<Buffer> r = client.delete("/api/articles/" + slug + "/favorite", token);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getJsonObject("article");
  }

  static String newArticle() {
    return client.article(client.register("fv").getString("token"), Client.unique("Fav")).getString("slug");
  }

  @Test
  void favoriteSetsFavoritedAndCountsOne() {
    String slug = newArticle();
    String fan = client.register("fv").getString("token");
    JsonObject a = favorite(slug, fan);
    assertEquals(slug, a.getString("slug"));
    assertEquals(true, a.getBoolean("favorited"));
    assertEquals(1, a.getInteger("favoritesCount"));
    assertEquals("body of " + a.getString("title"), a.getString("body"));
    JsonObject seen = client.get("/api/articles/" + slug, fan).bodyAsJsonObject().getJsonObject("article");
    assertEquals(true, seen.getBoolean("favorited"));
    assertEquals(1, seen.getInteger("favoritesCount"));
  }

  @Test
  void favoritingTwiceIsIdempotent() {
    String slug = newArticle();
    String fan = client.register("fv").getString("token");
    favorite(slug, fan);
    JsonObject again = favorite(slug, fan);
    assertEquals(true, again.getBoolean("favorited"));
    assertEquals(1, again.getInteger("favoritesCount"));
  }

  @Test
  void countsFavoritesOfSeveralUsersAndFavoritedIsPerViewer() {
    String slug = newArticle();
    String fan1 = client.register("fv").getString("token");
    String fan2 = client.register("fv").getString("token");
    String stranger = client.register("fv").getString("token");
    assertEquals(1, favorite(slug, fan1).getInteger("favoritesCount"));
    assertEquals(2, favorite(slug, fan2).getInteger("favoritesCount"));
    for (String token : List.of(fan1, fan2)) {
      assertEquals(true, client.get("/api/articles/" + slug, token).bodyAsJsonObject().getJsonObject("article").getBoolean("favorited"));
    }
    JsonObject asStranger = client.get("/api/articles/" + slug, stranger).bodyAsJsonObject().getJsonObject("article");
    assertEquals(false, asStranger.getBoolean("favorited"));
    assertEquals(2, asStranger.getInteger("favoritesCount"));
    JsonObject anonymous = client.get("/api/articles/" + slug).bodyAsJsonObject().getJsonObject("article");
    assertEquals(false, anonymous.getBoolean("favorited"));
    assertEquals(2, anonymous.getInteger("favoritesCount"));
  }

  @Test
  void unfavoriteClearsFlagAndDecrementsAndIsIdempotent() {
    String slug = newArticle();
    String fan1 = client.register("fv").getString("token");
    String fan2 = client.register("fv").getString("token");
    favorite(slug, fan1);
    favorite(slug, fan2);
    JsonObject a = unfavorite(slug, fan1);
    assertEquals(false, a.getBoolean("favorited"));
    assertEquals(1, a.getInteger("favoritesCount"));
    JsonObject again = unfavorite(slug, fan1);
    assertEquals(false, again.getBoolean("favorited"));
    assertEquals(1, again.getInteger("favoritesCount"));
    String never = client.register("fv").getString("token");
    assertEquals(1, unfavorite(slug, never).getInteger("favoritesCount"));
    assertEquals(true, client.get("/api/articles/" + slug, fan2).bodyAsJsonObject().getJsonObject("article").getBoolean("favorited"));
  }

  @Test
  void authorMayFavoriteOwnArticle() {
    String token = client.register("fv").getString("token");
    String slug = client.article(token, Client.unique("Self")).getString("slug");
    JsonObject a = favorite(slug, token);
    assertEquals(true, a.getBoolean("favorited"));
    assertEquals(1, a.getInteger("favoritesCount"));
  }

  @Test
  void favoriteWithoutTokenIs401() {
    String slug = newArticle();
    assertOnlyError(client.post("/api/articles/" + slug + "/favorite", null, null), 401, "token");
    assertOnlyError(client.delete("/api/articles/" + slug + "/favorite", null), 401, "token");
    assertEquals(0, client.get("/api/articles/" + slug).bodyAsJsonObject().getJsonObject("article").getInteger("favoritesCount"));
  }

  @Test
  void favoriteUnknownSlugIs404Article() {
    String token = client.register("fv").getString("token");
    String unknown = "/api/articles/" + Client.unique("ghost") + "-zzzzzzzz/favorite";
    assertOnlyError(client.post(unknown, token, null), 404, "article");
    assertOnlyError(client.delete(unknown, token), 404, "article");
    assertOnlyError(client.post(unknown, null, null), 401, "token");
  }

  @Test
  void favoriteOfDeletedArticleIs404() {
    String author = client.register("fv").getString("token");
    String slug = client.article(author, Client.unique("Brief")).getString("slug");
    assertEquals(204, client.delete("/api/articles/" + slug, author).statusCode());
    String fan = client.register("fv").getString("token");
    assertOnlyError(client.post("/api/articles/" + slug + "/favorite", fan, null), 404, "article");
  }

  @Test
  void favoritedByFilterListsItAndUnfavoriteRemovesIt() {
    String slug = newArticle();
    JsonObject fan = client.register("fv");
    String byFan = "/api/articles?favorited=" + fan.getString("username");
    favorite(slug, fan.getString("token"));
    JsonObject page = client.get(byFan).bodyAsJsonObject();
    assertEquals(1, page.getLong("articlesCount"));
    JsonObject item = page.getJsonArray("articles").getJsonObject(0);
    assertEquals(slug, item.getString("slug"));
    assertEquals(false, item.getBoolean("favorited")); // anonymous viewer
    assertEquals(true, client.get(byFan, fan.getString("token")).bodyAsJsonObject()
        .getJsonArray("articles").getJsonObject(0).getBoolean("favorited"));
    unfavorite(slug, fan.getString("token"));
    JsonObject after = client.get(byFan).bodyAsJsonObject();
    assertEquals(0, after.getLong("articlesCount"));
    assertEquals(0, after.getJsonArray("articles").size());
  }
}
