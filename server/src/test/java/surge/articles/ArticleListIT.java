package surge.articles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import surge.support.Client;
import surge.support.ErrorShape;
import surge.support.WithNode;

/** GET /articles with filters and paging, and the feed. Lists are scoped by unique tags and authors. */
class ArticleListIT extends WithNode {

  static JsonObject list(String query, String token) {
    HttpResponse<Buffer> r = client.get("/api/articles" + query, token);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject page = r.bodyAsJsonObject();
    assertEquals(Set.of("articles", "articlesCount"), page.fieldNames());
    return page;
  }

  static JsonObject feed(String query, String token) {
    HttpResponse<Buffer> r = client.get("/api/articles/feed" + query, token);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  static List<String> slugs(JsonObject page) {
    List<String> out = new ArrayList<>();
    for (Object o : page.getJsonArray("articles")) out.add(((JsonObject) o).getString("slug"));
    return out;
  }

  /** Creates {@code n} articles in order as one author; returns their slugs newest first. */
  static List<String> createMany(String token, int n, String... tags) {
    List<String> slugs = new ArrayList<>();
    for (int i = 0; i < n; i++) slugs.add(client.article(token, Client.unique("Item " + i), tags).getString("slug"));
    Collections.reverse(slugs);
    return slugs;
  }

  @Test
  void listItemsHaveNoBodyAndTheArticleFields() {
    JsonObject me = client.register("al");
    String tag = Client.unique("tag");
    JsonObject created = client.article(me.getString("token"), Client.unique("Listed"), tag, "other");
    JsonObject page = list("?tag=" + tag, null);
    assertEquals(1, page.getLong("articlesCount"));
    JsonObject item = page.getJsonArray("articles").getJsonObject(0);
    assertFalse(item.containsKey("body"), item.encode());
    assertEquals(Set.of("slug", "title", "description", "tagList", "createdAt", "updatedAt",
        "favorited", "favoritesCount", "author"), item.fieldNames());
    JsonObject expected = created.copy();
    expected.remove("body");
    assertEquals(expected, item);
  }

  @Test
  void feedItemsHaveNoBody() {
    JsonObject author = client.register("al");
    JsonObject reader = client.register("al");
    follow(reader, author);
    client.article(author.getString("token"), Client.unique("Fed"));
    JsonObject item = feed("", reader.getString("token")).getJsonArray("articles").getJsonObject(0);
    assertFalse(item.containsKey("body"), item.encode());
    assertTrue(item.containsKey("description"));
  }

  @Test
  void tagFilterListsNewestFirstWithTotalCountNotPageSize() {
    String token = client.register("al").getString("token");
    String tag = Client.unique("tag");
    List<String> expected = createMany(token, 5, tag);
    client.article(token, Client.unique("Untagged"));
    JsonObject all = list("?tag=" + tag, null);
    assertEquals(expected, slugs(all));
    assertEquals(5, all.getLong("articlesCount"));
    JsonObject page = list("?tag=" + tag + "&limit=2", null);
    assertEquals(expected.subList(0, 2), slugs(page));
    assertEquals(5, page.getLong("articlesCount"));
  }

  @Test
  void pagesAreConsistentSlicesOfTheSameOrder() {
    String token = client.register("al").getString("token");
    String tag = Client.unique("tag");
    List<String> expected = createMany(token, 7, tag);
    List<String> paged = new ArrayList<>();
    for (int offset = 0; offset < 9; offset += 3) {
      JsonObject page = list("?tag=" + tag + "&limit=3&offset=" + offset, null);
      assertEquals(7, page.getLong("articlesCount"));
      assertEquals(expected.subList(offset, Math.min(offset + 3, 7)), slugs(page), "offset " + offset);
      paged.addAll(slugs(page));
    }
    assertEquals(expected, paged);
    JsonObject beyond = list("?tag=" + tag + "&limit=3&offset=50", null);
    assertEquals(List.of(), slugs(beyond));
    assertEquals(7, beyond.getLong("articlesCount"));
  }

  @Test
  void limitDefaultsTo20AndOffsetTo0() {
    String token = client.register("al").getString("token");
    String tag = Client.unique("tag");
    List<String> expected = createMany(token, 22, tag);
    JsonObject page = list("?tag=" + tag, null);
    assertEquals(22, page.getLong("articlesCount"));
    assertEquals(expected.subList(0, 20), slugs(page));
    assertEquals(expected.subList(20, 22), slugs(list("?tag=" + tag + "&offset=20", null)));
    assertEquals(expected.subList(0, 5), slugs(list("?tag=" + tag + "&limit=5", null)));
  }

  @Test
  void authorFilterListsOnlyThatAuthorsArticles() {
    JsonObject alice = client.register("al");
    JsonObject bob = client.register("al");
    List<String> alices = createMany(alice.getString("token"), 3);
    client.article(bob.getString("token"), Client.unique("Bobs"));
    JsonObject page = list("?author=" + alice.getString("username"), null);
    assertEquals(alices, slugs(page));
    assertEquals(3, page.getLong("articlesCount"));
    for (Object o : page.getJsonArray("articles")) {
      assertEquals(alice.getString("username"), ((JsonObject) o).getJsonObject("author").getString("username"));
    }
    JsonObject second = list("?author=" + alice.getString("username") + "&limit=1&offset=1", null);
    assertEquals(alices.subList(1, 2), slugs(second));
    assertEquals(3, second.getLong("articlesCount"));
  }

  @Test
  void favoritedFilterListsWhatThatUserFavorited() {
    String author = client.register("al").getString("token");
    JsonObject fan = client.register("al");
    List<String> slugs = createMany(author, 3);
    favorite(fan, slugs.get(0));
    favorite(fan, slugs.get(2));
    JsonObject page = list("?favorited=" + fan.getString("username"), null);
    assertEquals(List.of(slugs.get(0), slugs.get(2)), slugs(page));
    assertEquals(2, page.getLong("articlesCount"));
    JsonObject sliced = list("?favorited=" + fan.getString("username") + "&limit=1&offset=1", null);
    assertEquals(List.of(slugs.get(2)), slugs(sliced));
    assertEquals(2, sliced.getLong("articlesCount"));
  }

  @Test
  void filtersCombine() {
    JsonObject alice = client.register("al");
    JsonObject bob = client.register("al");
    JsonObject fan = client.register("al");
    String tag = Client.unique("tag");
    String aliceTagged = client.article(alice.getString("token"), Client.unique("A1"), tag).getString("slug");
    String aliceOther = client.article(alice.getString("token"), Client.unique("A2")).getString("slug");
    String bobTagged = client.article(bob.getString("token"), Client.unique("B1"), tag).getString("slug");
    favorite(fan, aliceTagged);
    favorite(fan, aliceOther);
    favorite(fan, bobTagged);

    JsonObject byTagAndAuthor = list("?tag=" + tag + "&author=" + alice.getString("username"), null);
    assertEquals(List.of(aliceTagged), slugs(byTagAndAuthor));
    assertEquals(1, byTagAndAuthor.getLong("articlesCount"));

    JsonObject all3 = list("?favorited=" + fan.getString("username") + "&tag=" + tag, null);
    assertEquals(List.of(bobTagged, aliceTagged), slugs(all3));
    assertEquals(2, all3.getLong("articlesCount"));

    JsonObject favByAuthor = list("?favorited=" + fan.getString("username") + "&author=" + alice.getString("username")
        + "&limit=1", null);
    assertEquals(List.of(aliceOther), slugs(favByAuthor));
    assertEquals(2, favByAuthor.getLong("articlesCount"));
  }

  @Test
  void unknownAuthorTagOrFavoriterGivesEmptyListAndZeroCount() {
    for (String query : List.of("?author=" + Client.unique("nobody"), "?tag=" + Client.unique("notag"),
        "?favorited=" + Client.unique("nobody"), "?favorited=" + Client.unique("nobody") + "&limit=5&offset=1")) {
      JsonObject page = list(query, null);
      assertEquals(new JsonArray(), page.getJsonArray("articles"), query);
      assertEquals(0, page.getLong("articlesCount"), query);
    }
  }

  @Test
  void authorWithoutArticlesGivesEmptyList() {
    JsonObject idle = client.register("al");
    JsonObject page = list("?author=" + idle.getString("username"), null);
    assertEquals(new JsonArray(), page.getJsonArray("articles"));
    assertEquals(0, page.getLong("articlesCount"));
  }

  @Test
  void badPagingIs422() {
    for (String q : List.of("?limit=abc", "?limit=-1", "?limit=0", "?offset=-5", "?offset=x")) {
      HttpResponse<Buffer> r = client.get("/api/articles" + q);
      ErrorShape.assertOnlyError(r, 422, q.substring(1, q.indexOf('=')));
    }
  }

  @Test
  void favoritedAndFollowingInListsArePerViewer() {
    JsonObject author = client.register("al");
    JsonObject fan = client.register("al");
    JsonObject stranger = client.register("al");
    String tag = Client.unique("tag");
    String slug = client.article(author.getString("token"), Client.unique("Seen"), tag).getString("slug");
    favorite(fan, slug);
    follow(fan, author);

    JsonObject asFan = list("?tag=" + tag, fan.getString("token")).getJsonArray("articles").getJsonObject(0);
    assertEquals(true, asFan.getBoolean("favorited"));
    assertEquals(true, asFan.getJsonObject("author").getBoolean("following"));
    assertEquals(1, asFan.getInteger("favoritesCount"));

    for (String token : new String[] {stranger.getString("token"), author.getString("token"), null}) {
      JsonObject item = list("?tag=" + tag, token).getJsonArray("articles").getJsonObject(0);
      assertEquals(false, item.getBoolean("favorited"), String.valueOf(token));
      assertEquals(false, item.getJsonObject("author").getBoolean("following"), String.valueOf(token));
      assertEquals(1, item.getInteger("favoritesCount"));
    }
  }

  @Test
  void feedRequiresAToken() {
    HttpResponse<Buffer> r = client.get("/api/articles/feed");
    ErrorShape.assertOnlyError(r, 401, "token");
  }

  @Test
  void feedWithoutFollowsIsEmpty() {
    JsonObject loner = client.register("al");
    client.article(loner.getString("token"), Client.unique("Own"));
    JsonObject page = feed("", loner.getString("token"));
    assertEquals(new JsonArray(), page.getJsonArray("articles"));
    assertEquals(0, page.getLong("articlesCount"));
  }

  @Test
  void feedShowsOnlyFollowedAuthorsNewestFirstWithPaging() {
    JsonObject reader = client.register("al");
    JsonObject followed1 = client.register("al");
    JsonObject followed2 = client.register("al");
    JsonObject ignored = client.register("al");
    follow(reader, followed1);
    follow(reader, followed2);
    List<String> expected = new ArrayList<>();
    expected.add(client.article(followed1.getString("token"), Client.unique("F1a")).getString("slug"));
    client.article(ignored.getString("token"), Client.unique("Ignored"));
    expected.add(client.article(followed2.getString("token"), Client.unique("F2a")).getString("slug"));
    client.article(reader.getString("token"), Client.unique("Mine"));
    expected.add(client.article(followed1.getString("token"), Client.unique("F1b")).getString("slug"));
    Collections.reverse(expected);

    String token = reader.getString("token");
    JsonObject all = feed("", token);
    assertEquals(3, all.getLong("articlesCount"));
    assertEquals(Set.copyOf(expected), Set.copyOf(slugs(all)));
    assertNewestFirst(all);
    for (Object o : all.getJsonArray("articles")) {
      JsonObject item = (JsonObject) o;
      assertEquals(true, item.getJsonObject("author").getBoolean("following"), item.encode());
    }
    List<String> order = slugs(all);
    JsonObject second = feed("?limit=1&offset=1", token);
    assertEquals(order.subList(1, 2), slugs(second));
    assertEquals(3, second.getLong("articlesCount"));
    assertEquals(order.subList(0, 2), slugs(feed("?limit=2", token)));
  }

  @Test
  void unfollowingRemovesAnAuthorFromTheFeed() {
    JsonObject reader = client.register("al");
    JsonObject author = client.register("al");
    follow(reader, author);
    client.article(author.getString("token"), Client.unique("Gone Soon"));
    assertEquals(1, feed("", reader.getString("token")).getLong("articlesCount"));
    HttpResponse<Buffer> r = client.delete("/api/profiles/" + author.getString("username") + "/follow", reader.getString("token"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(0, feed("", reader.getString("token")).getLong("articlesCount"));
  }

  static void assertNewestFirst(JsonObject page) {
    Instant previous = Instant.MAX;
    for (Object o : page.getJsonArray("articles")) {
      Instant created = Instant.parse(((JsonObject) o).getString("createdAt"));
      assertFalse(created.isAfter(previous), page.encode());
      previous = created;
    }
  }

  static void follow(JsonObject follower, JsonObject followee) {
    HttpResponse<Buffer> r = client.post("/api/profiles/" + followee.getString("username") + "/follow",
        follower.getString("token"), null);
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }

  static void favorite(JsonObject user, String slug) {
    HttpResponse<Buffer> r = client.post("/api/articles/" + slug + "/favorite", user.getString("token"), null);
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }
}
