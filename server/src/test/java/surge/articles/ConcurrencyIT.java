package surge.articles;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import surge.support.Client;
import surge.support.WithNode;

/**
 * Concurrent favorite/unfavorite requests keep {@code favoritesCount} equal to the number of
 * favorite rows. Requests are fired together with the non-blocking client and awaited once.
 */
class ConcurrencyIT extends WithNode {
  static WebClient web;

  @BeforeAll
  static void startWebClient(Vertx vertx) {
    // enough connections that the requests of one test really are in flight together
    web = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(node.port()),
        new PoolOptions().setHttp1MaxSize(32));
  }

  @AfterAll
  static void closeWebClient() {
    web.close();
  }

  static Future<HttpResponse<Buffer>> async(HttpMethod method, String path, String token) {
    return web.request(method, path).putHeader("Authorization", "Token " + token).send();
  }

  /** Fires every request at once, waits for all, and checks each answered 200. */
  static void allAt200(List<Future<HttpResponse<Buffer>>> requests) {
    Future.all(requests).await();
    for (Future<HttpResponse<Buffer>> f : requests) {
      assertEquals(200, f.result().statusCode(), f.result().bodyAsString());
    }
  }

  static List<String> tokens(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(client.register("cc").getString("token"));
    return out;
  }

  static JsonObject article(String slug) {
    return client.get("/api/articles/" + slug).bodyAsJsonObject().getJsonObject("article");
  }

  static String newArticle() {
    return client.article(client.register("cc").getString("token"), Client.unique("Hot")).getString("slug");
  }

  @Test
  void oneUserFavoritingTwentyTimesAtOnceCountsOnce() {
    String slug = newArticle();
    String fan = client.register("cc").getString("token");
    List<Future<HttpResponse<Buffer>>> requests = new ArrayList<>();
    for (int i = 0; i < 20; i++) requests.add(async(HttpMethod.POST, "/api/articles/" + slug + "/favorite", fan));
    allAt200(requests);
    assertEquals(1, article(slug).getInteger("favoritesCount"));
    JsonObject mine = client.get("/api/articles/" + slug, fan).bodyAsJsonObject().getJsonObject("article");
    assertEquals(true, mine.getBoolean("favorited"));
  }

  @Test
  void tenUsersFavoritingAtOnceCountTen() {
    String slug = newArticle();
    List<String> fans = tokens(10);
    List<Future<HttpResponse<Buffer>>> requests = new ArrayList<>();
    for (String fan : fans) requests.add(async(HttpMethod.POST, "/api/articles/" + slug + "/favorite", fan));
    allAt200(requests);
    assertEquals(10, article(slug).getInteger("favoritesCount"));
  }

  @Test
  void tenUsersFavoritingThenHalfUnfavoritingAtOnceCountFive() {
    String slug = newArticle();
    List<String> fans = tokens(10);
    List<Future<HttpResponse<Buffer>>> favorites = new ArrayList<>();
    for (String fan : fans) {
      // each twice, so duplicate favorites race too
      favorites.add(async(HttpMethod.POST, "/api/articles/" + slug + "/favorite", fan));
      favorites.add(async(HttpMethod.POST, "/api/articles/" + slug + "/favorite", fan));
    }
    allAt200(favorites);
    assertEquals(10, article(slug).getInteger("favoritesCount"));

    List<Future<HttpResponse<Buffer>>> unfavorites = new ArrayList<>();
    for (String fan : fans.subList(0, 5)) {
      unfavorites.add(async(HttpMethod.DELETE, "/api/articles/" + slug + "/favorite", fan));
      unfavorites.add(async(HttpMethod.DELETE, "/api/articles/" + slug + "/favorite", fan));
    }
    allAt200(unfavorites);
    assertEquals(5, article(slug).getInteger("favoritesCount"));
    for (int i = 0; i < fans.size(); i++) {
      boolean favorited = client.get("/api/articles/" + slug, fans.get(i)).bodyAsJsonObject()
          .getJsonObject("article").getBoolean("favorited");
      assertEquals(i >= 5, favorited, "fan " + i);
    }
  }

  @Test
  void mixedConcurrentFavoriteAndUnfavoriteEndsConsistentWithTheRows() {
    String slug = newArticle();
    List<String> fans = tokens(8);
    // fans 0..3 already favorited; now 0..3 unfavorite while 4..7 favorite, all at once
    List<Future<HttpResponse<Buffer>>> setup = new ArrayList<>();
    for (String fan : fans.subList(0, 4)) setup.add(async(HttpMethod.POST, "/api/articles/" + slug + "/favorite", fan));
    allAt200(setup);
    List<Future<HttpResponse<Buffer>>> mixed = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      HttpMethod method = i < 4 ? HttpMethod.DELETE : HttpMethod.POST;
      mixed.add(async(method, "/api/articles/" + slug + "/favorite", fans.get(i)));
      mixed.add(async(method, "/api/articles/" + slug + "/favorite", fans.get(i)));
    }
    allAt200(mixed);
    assertEquals(4, article(slug).getInteger("favoritesCount"));
  }

  @Test
  void concurrentCommentsOnOneArticleAllLandWithDistinctIds() {
    String token = client.register("cc").getString("token");
    String slug = client.article(token, Client.unique("Busy")).getString("slug");
    List<Future<HttpResponse<Buffer>>> posts = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      posts.add(web.post("/api/articles/" + slug + "/comments").putHeader("Authorization", "Token " + token)
          .sendJsonObject(new JsonObject().put("comment", new JsonObject().put("body", "c" + i))));
    }
    Future.all(posts).await();
    Set<Long> ids = new HashSet<>();
    for (Future<HttpResponse<Buffer>> f : posts) {
      assertEquals(201, f.result().statusCode(), f.result().bodyAsString());
      ids.add(f.result().bodyAsJsonObject().getJsonObject("comment").getLong("id"));
    }
    assertEquals(20, ids.size());
    assertEquals(20, client.get("/api/articles/" + slug + "/comments").bodyAsJsonObject().getJsonArray("comments").size());
  }
}
