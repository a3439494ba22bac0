package surge.comments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static surge.support.ErrorShape.assertOnlyError;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Client;
import surge.support.TestNode;

/** /articles/:slug/comments: add, list, delete, and the 401/404/403/422 cases. */
@ExtendWith(VertxExtension.class)
class CommentsApiIT {
  static final String ISO_MS_UTC = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";
  static final long MAX_SAFE_JSON_INTEGER = (1L << 53) - 1;
  static TestNode.Started node;
  static Client client;

  @BeforeAll
  static void start(Vertx vertx) {
    node = TestNode.start(vertx);
    client = new Client(vertx, node.port());
  }

  @AfterAll
  static void stop() {
    node.stop();
  }

  static JsonObject commentBody(Object body) {
    return new JsonObject().put("comment", new JsonObject().put("body", body));
  }

  static JsonObject comment(String slug, String token, String body) {
    HttpResponse<Buffer> r = client.post("/api/articles/" + slug + "/comments", token, commentBody(body));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getJsonObject("comment");
  }

  static JsonArray comments(String slug, String token) {
    HttpResponse<Buffer> r = client.get("/api/articles/" + slug + "/comments", token);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(Set.of("comments"), r.bodyAsJsonObject().fieldNames());
    return r.bodyAsJsonObject().getJsonArray("comments");
  }

  static long id(JsonObject comment) {
    return comment.getLong("id");
  }

  @Test
  void addReturns201WithTheCommentAndItsAuthor() {
    JsonObject author = client.register("cm");
    JsonObject commenter = client.register("cm");
    String slug = client.article(author.getString("token"), Client.unique("Talk")).getString("slug");
    HttpResponse<Buffer> r = client.post("/api/articles/" + slug + "/comments", commenter.getString("token"),
        commentBody("first!"));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    assertEquals("application/json; charset=utf-8", r.getHeader("Content-Type"));
    JsonObject c = r.bodyAsJsonObject().getJsonObject("comment");
    assertEquals(Set.of("id", "createdAt", "updatedAt", "body", "author"), c.fieldNames());
    Object id = c.getValue("id");
    assertTrue(id instanceof Integer || id instanceof Long, "id must be a JSON integer: " + c.encode());
    assertTrue(c.getLong("id") > 0 && c.getLong("id") <= MAX_SAFE_JSON_INTEGER, c.encode());
    assertTrue(r.bodyAsString().matches(".*\"id\":\\d+[,}].*"), r.bodyAsString());
    assertEquals("first!", c.getString("body"));
    assertTrue(c.getString("createdAt").matches(ISO_MS_UTC), c.encode());
    assertTrue(c.getString("updatedAt").matches(ISO_MS_UTC), c.encode());
    JsonObject profile = c.getJsonObject("author");
    assertEquals(Set.of("username", "bio", "image", "following"), profile.fieldNames());
    assertEquals(commenter.getString("username"), profile.getString("username"));
    assertEquals(false, profile.getBoolean("following"));
  }

  @Test
  void listReturnsCommentsNewestFirstForAnyone() {
    JsonObject author = client.register("cm");
    String slug = client.article(author.getString("token"), Client.unique("Thread")).getString("slug");
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) ids.add(id(comment(slug, author.getString("token"), "c" + i)));

    JsonArray anonymous = comments(slug, null);
    assertEquals(3, anonymous.size());
    assertEquals(List.of(ids.get(2), ids.get(1), ids.get(0)),
        List.of(id(anonymous.getJsonObject(0)), id(anonymous.getJsonObject(1)), id(anonymous.getJsonObject(2))));
    assertEquals(List.of("c2", "c1", "c0"), List.of(anonymous.getJsonObject(0).getString("body"),
        anonymous.getJsonObject(1).getString("body"), anonymous.getJsonObject(2).getString("body")));
    for (Object o : anonymous) {
      JsonObject c = (JsonObject) o;
      assertEquals(Set.of("id", "createdAt", "updatedAt", "body", "author"), c.fieldNames());
      assertInstanceOf(Number.class, c.getValue("id"));
      assertTrue(c.getLong("id") <= MAX_SAFE_JSON_INTEGER);
      assertTrue(c.getString("createdAt").matches(ISO_MS_UTC), c.encode());
      assertEquals(author.getString("username"), c.getJsonObject("author").getString("username"));
    }
    assertEquals(anonymous, comments(slug, author.getString("token")));
  }

  @Test
  void listOfArticleWithoutCommentsIsEmpty() {
    String slug = client.article(client.register("cm").getString("token"), Client.unique("Quiet")).getString("slug");
    assertEquals(new JsonArray(), comments(slug, null));
  }

  @Test
  void authorFollowingInCommentsIsPerViewer() {
    JsonObject author = client.register("cm");
    JsonObject commenter = client.register("cm");
    JsonObject follower = client.register("cm");
    String slug = client.article(author.getString("token"), Client.unique("Follow")).getString("slug");
    comment(slug, commenter.getString("token"), "hello");
    assertEquals(200, client.post("/api/profiles/" + commenter.getString("username") + "/follow",
        follower.getString("token"), null).statusCode());
    assertEquals(true, comments(slug, follower.getString("token")).getJsonObject(0).getJsonObject("author").getBoolean("following"));
    assertEquals(false, comments(slug, author.getString("token")).getJsonObject(0).getJsonObject("author").getBoolean("following"));
    assertEquals(false, comments(slug, null).getJsonObject(0).getJsonObject("author").getBoolean("following"));
  }

  @Test
  void addWithoutTokenIs401() {
    String slug = client.article(client.register("cm").getString("token"), Client.unique("Anon")).getString("slug");
    assertOnlyError(client.post("/api/articles/" + slug + "/comments", null, commentBody("hi")), 401, "token");
    assertEquals(new JsonArray(), comments(slug, null));
  }

  @Test
  void addToUnknownArticleIs404() {
    String token = client.register("cm").getString("token");
    String unknown = "/api/articles/" + Client.unique("ghost") + "-zzzzzzzz/comments";
    assertOnlyError(client.post(unknown, token, commentBody("hi")), 404, "article");
    assertOnlyError(client.get(unknown), 404, "article");
  }

  @Test
  void blankOrMissingBodyIs422() {
    String token = client.register("cm").getString("token");
    String slug = client.article(token, Client.unique("Blank")).getString("slug");
    String path = "/api/articles/" + slug + "/comments";
    assertOnlyError(client.post(path, token, commentBody("")), 422, "body");
    assertOnlyError(client.post(path, token, commentBody("   ")), 422, "body");
    assertOnlyError(client.post(path, token, new JsonObject().put("comment", new JsonObject())), 422, "body");
    assertEquals(new JsonArray(), comments(slug, null));
  }

  @Test
  void deleteReturns204WithEmptyBodyAndRemovesOnlyThatComment() {
    String token = client.register("cm").getString("token");
    String slug = client.article(token, Client.unique("Del")).getString("slug");
    long keep = id(comment(slug, token, "keep"));
    long drop = id(comment(slug, token, "drop"));
    HttpResponse<Buffer> r = client.delete("/api/articles/" + slug + "/comments/" + drop, token);
    assertEquals(204, r.statusCode(), r.bodyAsString());
    assertTrue(r.body() == null || r.body().length() == 0, "body: " + r.bodyAsString());
    JsonArray left = comments(slug, null);
    assertEquals(1, left.size());
    assertEquals(keep, id(left.getJsonObject(0)));
    assertOnlyError(client.delete("/api/articles/" + slug + "/comments/" + drop, token), 404, "comment");
  }

  @Test
  void deleteChecks401Then404ArticleThen404CommentThen403() {
    String owner = client.register("cm").getString("token");
    String other = client.register("cm").getString("token");
    String slug = client.article(owner, Client.unique("Guarded")).getString("slug");
    long id = id(comment(slug, owner, "mine"));
    String ghost = Client.unique("ghost") + "-zzzzzzzz";

    assertOnlyError(client.delete("/api/articles/" + ghost + "/comments/" + id, null), 401, "token");
    assertOnlyError(client.delete("/api/articles/" + slug + "/comments/" + id, null), 401, "token");
    assertOnlyError(client.delete("/api/articles/" + ghost + "/comments/" + id, owner), 404, "article");
    assertOnlyError(client.delete("/api/articles/" + slug + "/comments/999999999999", owner), 404, "comment");
    assertOnlyError(client.delete("/api/articles/" + slug + "/comments/abc", owner), 404, "comment");
    assertOnlyError(client.delete("/api/articles/" + slug + "/comments/-1", owner), 404, "comment");
    assertOnlyError(client.delete("/api/articles/" + slug + "/comments/" + id, other), 403, "comment");
    assertEquals(1, comments(slug, null).size());
  }

  @Test
  void commentIdOfAnotherArticleIs404Comment() {
    String token = client.register("cm").getString("token");
    String slugA = client.article(token, Client.unique("A")).getString("slug");
    String slugB = client.article(token, Client.unique("B")).getString("slug");
    long onA = id(comment(slugA, token, "on a"));
    assertOnlyError(client.delete("/api/articles/" + slugB + "/comments/" + onA, token), 404, "comment");
    assertEquals(1, comments(slugA, null).size());
  }

  @Test
  void articleAuthorCannotDeleteSomeoneElsesComment() {
    String author = client.register("cm").getString("token");
    String commenter = client.register("cm").getString("token");
    String slug = client.article(author, Client.unique("Owned")).getString("slug");
    long id = id(comment(slug, commenter, "theirs"));
    assertOnlyError(client.delete("/api/articles/" + slug + "/comments/" + id, author), 403, "comment");
    assertEquals(204, client.delete("/api/articles/" + slug + "/comments/" + id, commenter).statusCode());
  }

  @Test
  void commentsOfADeletedArticleAreGone() {
    String token = client.register("cm").getString("token");
    String slug = client.article(token, Client.unique("Vanish")).getString("slug");
    long id = id(comment(slug, token, "soon gone"));
    assertEquals(204, client.delete("/api/articles/" + slug, token).statusCode());
    assertOnlyError(client.get("/api/articles/" + slug + "/comments"), 404, "article");
    assertOnlyError(client.delete("/api/articles/" + slug + "/comments/" + id, token), 404, "article");
    assertOnlyError(client.post("/api/articles/" + slug + "/comments", token, commentBody("late")), 404, "article");
  }

  @Test
  void distinctCommentsGetDistinctIds() {
    String token = client.register("cm").getString("token");
    String slug = client.article(token, Client.unique("Ids")).getString("slug");
    assertNotEquals(id(comment(slug, token, "x")), id(comment(slug, token, "x")));
  }
}
