package surge.articles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static surge.support.ErrorShape.assertOnlyError;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import surge.support.Client;
import surge.support.WithNode;

/** Create, read, update and delete one article; slugs; validation; 401/404/403 order. */
class ArticlesApiIT extends WithNode {
  static final String ISO_MS_UTC = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";
  static WebClient web;

  @BeforeAll
  static void startWebClient(Vertx vertx) {
    web = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(node.port()),
        new PoolOptions().setHttp1MaxSize(20));
  }

  @AfterAll
  static void closeWebClient() {
    web.close();
  }

  static JsonObject articleBody(Object title, Object description, Object body, JsonArray tags) {
    JsonObject a = new JsonObject().put("title", title).put("description", description).put("body", body);
    if (tags != null) a.put("tagList", tags);
    return new JsonObject().put("article", a);
  }

  static JsonObject update(JsonObject fields) {
    return new JsonObject().put("article", fields);
  }

  @Test
  void createReturns201WithFullArticleAndSortedDistinctTags() {
    JsonObject me = client.register("aa");
    String title = Client.unique("Create Me");
    HttpResponse<Buffer> r = client.post("/api/articles", me.getString("token"),
        articleBody(title, "desc", "the body", new JsonArray().add("zeta").add("alpha").add("mid").add("alpha")));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    assertEquals("application/json; charset=utf-8", r.getHeader("Content-Type"));
    JsonObject a = r.bodyAsJsonObject().getJsonObject("article");
    assertEquals(Set.of("slug", "title", "description", "body", "tagList", "createdAt", "updatedAt",
        "favorited", "favoritesCount", "author"), a.fieldNames());
    assertEquals(title, a.getString("title"));
    assertEquals("desc", a.getString("description"));
    assertEquals("the body", a.getString("body"));
    assertEquals(new JsonArray().add("alpha").add("mid").add("zeta"), a.getJsonArray("tagList"));
    assertTrue(a.getString("createdAt").matches(ISO_MS_UTC), a.getString("createdAt"));
    assertTrue(a.getString("updatedAt").matches(ISO_MS_UTC), a.getString("updatedAt"));
    assertEquals(false, a.getBoolean("favorited"));
    assertEquals(0, a.getInteger("favoritesCount"));
    JsonObject author = a.getJsonObject("author");
    assertEquals(Set.of("username", "bio", "image", "following"), author.fieldNames());
    assertEquals(me.getString("username"), author.getString("username"));
    assertNull(author.getValue("bio"));
    assertNull(author.getValue("image"));
    assertEquals(false, author.getBoolean("following"));
    assertTrue(a.getString("slug").startsWith("create-me-"), a.getString("slug"));
  }

  @Test
  void createWithoutTagListGivesEmptyTagList() {
    JsonObject me = client.register("aa");
    HttpResponse<Buffer> r = client.post("/api/articles", me.getString("token"),
        articleBody(Client.unique("No Tags"), "d", "b", null));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    assertEquals(new JsonArray(), r.bodyAsJsonObject().getJsonObject("article").getJsonArray("tagList"));
  }

  @Test
  void getBySlugReturnsTheSameArticleAnonymously() {
    JsonObject me = client.register("aa");
    JsonObject created = client.article(me.getString("token"), Client.unique("Get Me"), "t1");
    HttpResponse<Buffer> r = client.get("/api/articles/" + created.getString("slug"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(created, r.bodyAsJsonObject().getJsonObject("article"));
  }

  @Test
  void authorFollowingAndFavoritedOnOneArticleArePerViewer() {
    JsonObject author = client.register("aa");
    JsonObject follower = client.register("aa");
    JsonObject stranger = client.register("aa");
    String path = "/api/articles/" + client.article(author.getString("token"), Client.unique("Viewed")).getString("slug");
    assertEquals(200, client.post("/api/profiles/" + author.getString("username") + "/follow",
        follower.getString("token"), null).statusCode());
    assertEquals(200, client.post(path + "/favorite", follower.getString("token"), null).statusCode());

    JsonObject asFollower = client.get(path, follower.getString("token")).bodyAsJsonObject().getJsonObject("article");
    assertEquals(true, asFollower.getJsonObject("author").getBoolean("following"));
    assertEquals(true, asFollower.getBoolean("favorited"));
    for (String token : new String[] {stranger.getString("token"), author.getString("token"), null}) {
      JsonObject a = client.get(path, token).bodyAsJsonObject().getJsonObject("article");
      assertEquals(false, a.getJsonObject("author").getBoolean("following"), String.valueOf(token));
      assertEquals(false, a.getBoolean("favorited"), String.valueOf(token));
      assertEquals(1, a.getInteger("favoritesCount"));
    }
  }

  @Test
  void getUnknownSlugIs404Article() {
    assertOnlyError(client.get("/api/articles/" + Client.unique("nope") + "-zzzzzz"), 404, "article");
    assertOnlyError(client.get("/api/articles/no-such-thing-at-all!"), 404, "article");
  }

  @Test
  void createWithoutTokenIs401() {
    assertOnlyError(client.post("/api/articles", null, articleBody("t", "d", "b", null)), 401, "token");
  }

  @Test
  void createWithMissingOrBlankFieldsIs422ListingEachField() {
    String token = client.register("aa").getString("token");
    HttpResponse<Buffer> r = client.post("/api/articles", token,
        new JsonObject().put("article", new JsonObject().put("title", "   ").put("description", "")));
    assertEquals(422, r.statusCode(), r.bodyAsString());
    JsonObject errors = r.bodyAsJsonObject().getJsonObject("errors");
    assertEquals(Set.of("title", "description", "body"), errors.fieldNames());
    for (String field : errors.fieldNames()) {
      assertEquals(new JsonArray().add("can't be blank"), errors.getJsonArray(field), field);
    }
  }

  @Test
  void createWithOnlyBodyMissingIs422Body() {
    String token = client.register("aa").getString("token");
    JsonArray messages = assertOnlyError(client.post("/api/articles", token,
        new JsonObject().put("article", new JsonObject().put("title", "t").put("description", "d"))), 422, "body")
        .getJsonArray("body");
    assertEquals(new JsonArray().add("can't be blank"), messages);
  }

  @Test
  void duplicateTitlesGetDistinctSlugsBothReadable() {
    String token = client.register("aa").getString("token");
    String title = Client.unique("Same Title");
    JsonObject first = client.article(token, title);
    JsonObject second = client.article(token, title);
    assertNotEquals(first.getString("slug"), second.getString("slug"));
    assertEquals(first.getString("slug"),
        client.get("/api/articles/" + first.getString("slug")).bodyAsJsonObject().getJsonObject("article").getString("slug"));
    assertEquals(second.getString("slug"),
        client.get("/api/articles/" + second.getString("slug")).bodyAsJsonObject().getJsonObject("article").getString("slug"));
  }

  @Test
  void updateBodyAndDescriptionKeepsTitleSlugTagsAndCreatedAtButMovesUpdatedAt() {
    String token = client.register("aa").getString("token");
    JsonObject created = client.article(token, Client.unique("Upd"), "b", "a");
    String slug = created.getString("slug");
    HttpResponse<Buffer> r = client.put("/api/articles/" + slug, token,
        update(new JsonObject().put("body", "new body").put("description", "new desc")));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject a = r.bodyAsJsonObject().getJsonObject("article");
    assertEquals("new body", a.getString("body"));
    assertEquals("new desc", a.getString("description"));
    assertEquals(created.getString("title"), a.getString("title"));
    assertEquals(slug, a.getString("slug"));
    assertEquals(new JsonArray().add("a").add("b"), a.getJsonArray("tagList"));
    assertEquals(created.getString("createdAt"), a.getString("createdAt"));
    assertTrue(a.getString("updatedAt").matches(ISO_MS_UTC), a.getString("updatedAt"));
    assertTrue(Instant.parse(a.getString("updatedAt")).isAfter(Instant.parse(created.getString("updatedAt"))),
        created.getString("updatedAt") + " -> " + a.getString("updatedAt"));
    assertEquals(a, client.get("/api/articles/" + slug, token).bodyAsJsonObject().getJsonObject("article"));
  }

  @Test
  void backToBackUpdatesAlwaysMoveUpdatedAtStrictlyForward() {
    String token = client.register("aa").getString("token");
    JsonObject created = client.article(token, Client.unique("Fast"));
    String path = "/api/articles/" + created.getString("slug");
    Instant previous = Instant.parse(created.getString("updatedAt"));
    for (int i = 0; i < 5; i++) {
      HttpResponse<Buffer> r = client.put(path, token, update(new JsonObject().put("body", "v" + i)));
      assertEquals(200, r.statusCode(), r.bodyAsString());
      JsonObject a = r.bodyAsJsonObject().getJsonObject("article");
      Instant now = Instant.parse(a.getString("updatedAt"));
      assertTrue(now.isAfter(previous), previous + " -> " + now);
      assertEquals(created.getString("createdAt"), a.getString("createdAt"));
      previous = now;
    }
  }

  @Test
  void concurrentUpdatesEachMoveUpdatedAtForwardByAtLeastOneMillisecond() {
    String token = client.register("aa").getString("token");
    JsonObject created = client.article(token, Client.unique("Burst"));
    String path = "/api/articles/" + created.getString("slug");
    List<Future<HttpResponse<Buffer>>> updates = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      updates.add(web.put(path).putHeader("Authorization", "Token " + token)
          .sendJsonObject(update(new JsonObject().put("body", "burst " + i))));
    }
    Future.all(updates).await();
    for (Future<HttpResponse<Buffer>> f : updates) assertEquals(200, f.result().statusCode(), f.result().bodyAsString());
    JsonObject after = client.get(path).bodyAsJsonObject().getJsonObject("article");
    Instant before = Instant.parse(created.getString("updatedAt"));
    Instant last = Instant.parse(after.getString("updatedAt"));
    // 20 updates, each strictly later than the one before, at millisecond resolution
    assertFalse(last.isBefore(before.plusMillis(20)), before + " -> " + last);
    assertEquals(created.getString("createdAt"), after.getString("createdAt"));
  }

  @Test
  void updateTagListOmittedKeepsEmptyClearsNullIs422() {
    String token = client.register("aa").getString("token");
    String path = "/api/articles/" + client.article(token, Client.unique("Tags"), "y", "x", "y").getString("slug");

    JsonObject kept = client.put(path, token, update(new JsonObject().put("body", "b2"))).bodyAsJsonObject();
    assertEquals(new JsonArray().add("x").add("y"), kept.getJsonObject("article").getJsonArray("tagList"));

    HttpResponse<Buffer> replaced = client.put(path, token,
        update(new JsonObject().put("tagList", new JsonArray().add("q").add("p").add("q"))));
    assertEquals(200, replaced.statusCode(), replaced.bodyAsString());
    assertEquals(new JsonArray().add("p").add("q"), replaced.bodyAsJsonObject().getJsonObject("article").getJsonArray("tagList"));

    assertOnlyError(client.put(path, token, update(new JsonObject().putNull("tagList"))), 422, "tagList");
    assertEquals(new JsonArray().add("p").add("q"),
        client.get(path).bodyAsJsonObject().getJsonObject("article").getJsonArray("tagList"));

    HttpResponse<Buffer> cleared = client.put(path, token, update(new JsonObject().put("tagList", new JsonArray())));
    assertEquals(200, cleared.statusCode(), cleared.bodyAsString());
    assertEquals(new JsonArray(), cleared.bodyAsJsonObject().getJsonObject("article").getJsonArray("tagList"));
    assertEquals(new JsonArray(), client.get(path).bodyAsJsonObject().getJsonObject("article").getJsonArray("tagList"));
  }

  @Test
  void titleChangeMovesTheSlugAndTheOldSlugIs404() {
    String token = client.register("aa").getString("token");
    JsonObject created = client.article(token, Client.unique("Old Name"));
    String oldSlug = created.getString("slug");
    String newTitle = Client.unique("Brand New Name");
    HttpResponse<Buffer> r = client.put("/api/articles/" + oldSlug, token, update(new JsonObject().put("title", newTitle)));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject a = r.bodyAsJsonObject().getJsonObject("article");
    assertEquals(newTitle, a.getString("title"));
    String newSlug = a.getString("slug");
    assertNotEquals(oldSlug, newSlug);
    assertTrue(newSlug.startsWith("brand-new-name-"), newSlug);
    assertEquals(200, client.get("/api/articles/" + newSlug).statusCode());
    assertOnlyError(client.get("/api/articles/" + oldSlug), 404, "article");
  }

  @Test
  void blankOrNullTitleOnUpdateIs422AndChangesNothing() {
    String token = client.register("aa").getString("token");
    JsonObject created = client.article(token, Client.unique("Keep"));
    String path = "/api/articles/" + created.getString("slug");
    assertOnlyError(client.put(path, token, update(new JsonObject().put("title", ""))), 422, "title");
    assertOnlyError(client.put(path, token, update(new JsonObject().put("title", "   "))), 422, "title");
    assertOnlyError(client.put(path, token, update(new JsonObject().putNull("title"))), 422, "title");
    assertOnlyError(client.put(path, token, update(new JsonObject().put("body", ""))), 422, "body");
    assertEquals(created, client.get(path).bodyAsJsonObject().getJsonObject("article"));
  }

  @Test
  void updateChecks401Then404Then403() {
    String owner = client.register("aa").getString("token");
    String other = client.register("aa").getString("token");
    String title = Client.unique("Mine");
    String path = "/api/articles/" + client.article(owner, title).getString("slug");
    String unknown = "/api/articles/" + Client.unique("ghost") + "-zzzzzzzz";
    JsonObject change = update(new JsonObject().put("body", "hijacked"));

    assertOnlyError(client.put(unknown, null, change), 401, "token");
    assertOnlyError(client.put(path, null, change), 401, "token");
    assertOnlyError(client.put(unknown, other, change), 404, "article");
    assertOnlyError(client.put(path, other, change), 403, "article");
    assertEquals("body of " + title, client.get(path).bodyAsJsonObject().getJsonObject("article").getString("body"));
  }

  @Test
  void deleteReturns204WithEmptyBodyAndTheArticleIsGone() {
    String token = client.register("aa").getString("token");
    String path = "/api/articles/" + client.article(token, Client.unique("Doomed")).getString("slug");
    HttpResponse<Buffer> r = client.delete(path, token);
    assertEquals(204, r.statusCode(), r.bodyAsString());
    assertTrue(r.body() == null || r.body().length() == 0, "body: " + r.bodyAsString());
    assertOnlyError(client.get(path), 404, "article");
    assertOnlyError(client.delete(path, token), 404, "article");
  }

  @Test
  void deleteChecks401Then404Then403() {
    String owner = client.register("aa").getString("token");
    String other = client.register("aa").getString("token");
    String path = "/api/articles/" + client.article(owner, Client.unique("Keep Me")).getString("slug");
    String unknown = "/api/articles/" + Client.unique("ghost") + "-zzzzzzzz";

    assertOnlyError(client.delete(unknown, null), 401, "token");
    assertOnlyError(client.delete(path, null), 401, "token");
    assertOnlyError(client.delete(unknown, other), 404, "article");
    assertOnlyError(client.delete(path, other), 403, "article");
    assertEquals(200, client.get(path).statusCode());
  }

  @Test
  void apiV1ServesTheSameArticleRoundTrip() {
    String token = client.register("aa").getString("token");
    HttpResponse<Buffer> created = client.post("/api/v1/articles", token,
        articleBody(Client.unique("Versioned"), "d", "b", new JsonArray().add("v1")));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    JsonObject a = created.bodyAsJsonObject().getJsonObject("article");
    String slug = a.getString("slug");
    assertEquals(a, client.get("/api/v1/articles/" + slug).bodyAsJsonObject().getJsonObject("article"));
    assertEquals(a, client.get("/api/articles/" + slug).bodyAsJsonObject().getJsonObject("article"));
    HttpResponse<Buffer> updated = client.put("/api/v1/articles/" + slug, token, update(new JsonObject().put("body", "b2")));
    assertEquals(200, updated.statusCode(), updated.bodyAsString());
    assertEquals("b2", client.get("/api/articles/" + slug).bodyAsJsonObject().getJsonObject("article").getString("body"));
    HttpResponse<Buffer> deleted = client.delete("/api/v1/articles/" + slug, token);
    assertEquals(204, deleted.statusCode(), deleted.bodyAsString());
    assertOnlyError(client.get("/api/v1/articles/" + slug), 404, "article");
  }
}
