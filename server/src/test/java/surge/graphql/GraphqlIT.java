package surge.graphql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Client;
import surge.support.TestNode;

/**
 * Every GraphQL operation against a real node (PostgreSQL, Redis), and what it shares with REST: the same
 * validation and errors, the same data (a write through one API is read through the other), per-viewer flags.
 */
@ExtendWith(VertxExtension.class)
class GraphqlIT {
  static TestNode.Started node;
  static Client client;
  static Gql gql;
  static io.vertx.ext.web.client.WebClient web;

  static final String ARTICLE_FIELDS = "slug title description body tagList createdAt updatedAt favorited"
      + " favoritesCount commentsCount author { username bio image following }";

  @BeforeAll
  static void start(Vertx vertx) {
    node = TestNode.start(vertx, Map.of("events.relay", "false"));
    client = new Client(vertx, node.port());
    gql = new Gql(client);
    web = io.vertx.ext.web.client.WebClient.create(vertx,
        new io.vertx.ext.web.client.WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(node.port()));
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
  }

  @Test
  void registerLoginViewerAndUpdateUser() {
    String name = Client.unique("gq-u");
    JsonObject reg = gql.data(null, "mutation($i: RegisterInput!) { register(input: $i) { username email token bio } }",
        JsonObject.of("i", JsonObject.of("username", name, "email", name + "@example.com", "password", "password-" + name)))
        .getJsonObject("register");
    assertEquals(name, reg.getString("username"));
    String token = reg.getString("token");
    // the account is a REST account
    assertEquals(200, client.get("/api/user", token).statusCode());

    JsonObject login = gql.data(null, "mutation { login(input: {email: \"" + name.toUpperCase() + "@example.com\", password: \"password-"
        + name + "\"}) { username token } }", null).getJsonObject("login");
    assertEquals(name, login.getString("username"));

    JsonObject viewer = gql.data(token, "{ viewer { username email token } }", null).getJsonObject("viewer");
    assertEquals(name, viewer.getString("username"));
    assertEquals(token, viewer.getString("token"));
    assertNull(gql.data(null, "{ viewer { username } }", null).getValue("viewer"), "anonymous: no viewer");

    JsonObject updated = gql.data(token, "mutation { updateUser(input: {bio: \"hello\"}) { bio username } }", null)
        .getJsonObject("updateUser");
    assertEquals("hello", updated.getString("bio"));
    assertEquals("hello", client.get("/api/profiles/" + name).bodyAsJsonObject().getJsonObject("profile").getString("bio"));

    JsonObject bad = gql.ok(null, "mutation { login(input: {email: \"" + name + "@example.com\", password: \"wrong-password\"}) { token } }", null);
    assertEquals("UNAUTHENTICATED", Gql.code(bad));
    assertEquals(new JsonArray().add("login"), Gql.error(bad).getJsonArray("path"));
  }

  @Test
  void validationIsRestsWithFieldPaths() {
    JsonObject body = gql.ok(null, "mutation { register(input: {username: \" \", email: \"nope\", password: \"short\"}) { token } }", null);
    JsonObject error = Gql.error(body);
    assertEquals("BAD_USER_INPUT", error.getJsonObject("extensions").getString("code"));
    assertEquals(422, error.getJsonObject("extensions").getInteger("status"));
    JsonObject fields = error.getJsonObject("extensions").getJsonObject("fields");
    assertTrue(fields.containsKey("username") && fields.containsKey("email") && fields.containsKey("password"), fields.encode());
    assertEquals(new JsonArray().add("register"), error.getJsonArray("path"));
    assertNull(body.getValue("data"), "a non-null mutation field that failed nulls data");

    JsonObject user = client.register("gq-v");
    JsonObject taken = gql.ok(null, "mutation { register(input: {username: \"" + user.getString("username")
        + "\", email: \"x" + user.getString("email") + "\", password: \"password-123\"}) { token } }", null);
    assertEquals("CONFLICT", Gql.code(taken));

    JsonObject blank = gql.ok(user.getString("token"),
        "mutation { createArticle(input: {title: \"\", description: \"d\", body: \"b\"}) { slug } }", null);
    assertEquals("BAD_USER_INPUT", Gql.code(blank));
    assertEquals(new JsonArray().add("can't be blank"),
        Gql.error(blank).getJsonObject("extensions").getJsonObject("fields").getJsonArray("title"));
  }

  @Test
  void articlesCommentsFavoritesAndFollowsThroughBothApis() {
    JsonObject author = client.register("gq-a");
    String token = author.getString("token");
    String tag = Client.unique("gqt");
    JsonObject created = gql.data(token, "mutation($i: CreateArticleInput!) { createArticle(input: $i) { " + ARTICLE_FIELDS + " } }",
        JsonObject.of("i", JsonObject.of("title", "Graph " + tag, "description", "d", "body", "the body",
            "tagList", new JsonArray().add(tag).add(" " + tag + " ")))).getJsonObject("createArticle");
    String slug = created.getString("slug");
    assertEquals(new JsonArray().add(tag), created.getJsonArray("tagList"), "trimmed and de-duplicated as on REST");
    assertEquals(0, created.getInteger("commentsCount"));
    // REST sees it at once
    assertEquals("the body", client.get("/api/articles/" + slug).bodyAsJsonObject().getJsonObject("article").getString("body"));

    JsonObject fan = client.register("gq-f");
    String fanToken = fan.getString("token");
    JsonObject fav = gql.data(fanToken, "mutation { favorite(slug: \"" + slug + "\") { favorited favoritesCount } }", null)
        .getJsonObject("favorite");
    assertTrue(fav.getBoolean("favorited"));
    assertEquals(1, fav.getInteger("favoritesCount"));
    JsonObject follow = gql.data(fanToken, "mutation { follow(username: \"" + author.getString("username") + "\") { following } }", null)
        .getJsonObject("follow");
    assertTrue(follow.getBoolean("following"));

    JsonObject comment = gql.data(fanToken, "mutation { addComment(slug: \"" + slug + "\", body: \"nice\") { id body author { username } } }", null)
        .getJsonObject("addComment");
    assertEquals("nice", comment.getString("body"));
    assertEquals(1, client.get("/api/articles/" + slug + "/comments").bodyAsJsonObject().getJsonArray("comments").size());

    // the fan's flags, their own write read at once (read-your-writes through the same services)
    JsonObject seen = gql.data(fanToken, "{ article(slug: \"" + slug + "\") { favorited commentsCount author { following } } }", null)
        .getJsonObject("article");
    assertTrue(seen.getBoolean("favorited"));
    assertTrue(seen.getJsonObject("author").getBoolean("following"));
    assertEquals(1, seen.getInteger("commentsCount"));

    JsonObject feed = gql.data(fanToken, "{ feed(first: 10) { totalCount edges { node { slug } } } }", null).getJsonObject("feed");
    assertEquals(1, feed.getInteger("totalCount"));
    assertEquals(slug, feed.getJsonArray("edges").getJsonObject(0).getJsonObject("node").getString("slug"));

    JsonObject comments = gql.data(null, "{ comments(slug: \"" + slug + "\") { id body author { username following } } }", null);
    assertEquals(1, comments.getJsonArray("comments").size());
    assertTrue(gql.data(null, "{ tags }", null).getJsonArray("tags").contains(tag));
    assertEquals(author.getString("username"), gql.data(null, "{ profile(username: \"" + author.getString("username")
        + "\") { username following } }", null).getJsonObject("profile").getString("username"));

    // someone else may not edit or delete
    JsonObject forbidden = gql.ok(fanToken, "mutation { deleteArticle(slug: \"" + slug + "\") }", null);
    assertEquals("FORBIDDEN", Gql.code(forbidden));
    JsonObject notOwner = gql.ok(token, "mutation { deleteComment(slug: \"" + slug + "\", id: \"" + comment.getString("id") + "\") }", null);
    assertEquals("FORBIDDEN", Gql.code(notOwner));
    assertTrue(gql.data(fanToken, "mutation { deleteComment(slug: \"" + slug + "\", id: \"" + comment.getString("id") + "\") }", null)
        .getBoolean("deleteComment"));
    assertFalse(gql.data(fanToken, "mutation { unfavorite(slug: \"" + slug + "\") { favorited } }", null)
        .getJsonObject("unfavorite").getBoolean("favorited"));
    assertFalse(gql.data(fanToken, "mutation { unfollow(username: \"" + author.getString("username") + "\") { following } }", null)
        .getJsonObject("unfollow").getBoolean("following"));

    JsonObject edited = gql.data(token, "mutation { updateArticle(slug: \"" + slug + "\", input: {title: \"Renamed " + tag
        + "\"}) { slug title body } }", null).getJsonObject("updateArticle");
    assertEquals("the body", edited.getString("body"), "omitted fields are kept");
    assertFalse(edited.getString("slug").equals(slug), "a new title is a new slug");
    JsonObject gone = gql.ok(null, "{ article(slug: \"" + slug + "\") { title } }", null);
    assertEquals("NOT_FOUND", Gql.code(gone));
    assertEquals(new JsonArray().add("article"), Gql.error(gone).getJsonArray("path"));
    assertTrue(gql.data(token, "mutation { deleteArticle(slug: \"" + edited.getString("slug") + "\") }", null).getBoolean("deleteArticle"));
    assertEquals(404, client.get("/api/articles/" + edited.getString("slug")).statusCode());
  }

  @Test
  void connectionsPageWithCursors() {
    JsonObject author = client.register("gq-p");
    String tag = Client.unique("gqp");
    for (int i = 0; i < 5; i++) client.article(author.getString("token"), "page " + i + " " + tag, tag);
    String q = "query($t: String, $n: Int!, $a: String) { articles(tag: $t, first: $n, after: $a) { totalCount"
        + " pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { title body } } } }";
    JsonObject first = gql.data(null, q, JsonObject.of("t", tag, "n", 2)).getJsonObject("articles");
    assertEquals(5, first.getInteger("totalCount"));
    assertEquals("page 4 " + tag, first.getJsonArray("edges").getJsonObject(0).getJsonObject("node").getString("title"));
    assertNull(first.getJsonArray("edges").getJsonObject(0).getJsonObject("node").getValue("body"), "lists carry no body");
    assertTrue(first.getJsonObject("pageInfo").getBoolean("hasNextPage"));
    assertFalse(first.getJsonObject("pageInfo").getBoolean("hasPreviousPage"));
    String after = first.getJsonObject("pageInfo").getString("endCursor");
    JsonObject second = gql.data(null, q, JsonObject.of("t", tag, "n", 2, "a", after)).getJsonObject("articles");
    assertEquals("page 2 " + tag, second.getJsonArray("edges").getJsonObject(0).getJsonObject("node").getString("title"));
    JsonObject last = gql.data(null, q, JsonObject.of("t", tag, "n", 2, "a",
        second.getJsonObject("pageInfo").getString("endCursor"))).getJsonObject("articles");
    assertEquals(1, last.getJsonArray("edges").size());
    assertFalse(last.getJsonObject("pageInfo").getBoolean("hasNextPage"));
    assertEquals("BAD_USER_INPUT", Gql.code(gql.ok(null, q, JsonObject.of("t", tag, "n", 2, "a", "bm90LWEtY3Vyc29y"))));
    // by author and by favoriting user, as REST's filters
    assertEquals(5, gql.data(null, "{ articles(author: \"" + author.getString("username") + "\", first: 1) { totalCount } }", null)
        .getJsonObject("articles").getInteger("totalCount"));
    assertEquals(0, gql.data(null, "{ articles(favoritedBy: \"" + author.getString("username") + "\", first: 1) { totalCount } }", null)
        .getJsonObject("articles").getInteger("totalCount"));
  }

  @Test
  void twoViewersNeverSeeEachOthersFlags() {
    JsonObject author = client.register("gq-o");
    String tag = Client.unique("gqo");
    JsonObject article = client.article(author.getString("token"), "flags " + tag, tag);
    String fan = client.register("gq-o1").getString("token");
    String other = client.register("gq-o2").getString("token");
    assertEquals(200, client.post("/api/articles/" + article.getString("slug") + "/favorite", fan, null).statusCode());
    assertEquals(200, client.post("/api/profiles/" + author.getString("username") + "/follow", fan, null).statusCode());
    String q = "{ articles(tag: \"" + tag + "\", first: 5) { edges { node { favorited author { following } } } } }";
    for (int i = 0; i < 3; i++) {
      JsonObject fans = node(gql.data(fan, q, null));
      JsonObject others = node(gql.data(other, q, null));
      JsonObject anonymous = node(gql.data(null, q, null));
      assertTrue(fans.getBoolean("favorited"));
      assertTrue(fans.getJsonObject("author").getBoolean("following"));
      assertFalse(others.getBoolean("favorited"), "never another viewer's favorite");
      assertFalse(others.getJsonObject("author").getBoolean("following"), "never another viewer's follow");
      assertFalse(anonymous.getBoolean("favorited"));
    }
  }

  private static JsonObject node(JsonObject data) {
    return data.getJsonObject("articles").getJsonArray("edges").getJsonObject(0).getJsonObject("node");
  }

  @Test
  void requestErrors() {
    assertEquals("UNAUTHENTICATED", Gql.code(gql.ok(null, "{ feed(first: 1) { totalCount } }", null)));
    assertEquals("UNAUTHENTICATED", Gql.code(gql.ok(null, "mutation { follow(username: \"x\") { following } }", null)));
    HttpResponse<Buffer> badToken = gql.post("not-a-jwt", "{ tags }", null);
    assertEquals(401, badToken.statusCode());
    assertEquals("UNAUTHENTICATED", Gql.code(badToken.bodyAsJsonObject()));

    JsonObject parse = gql.ok(null, "{ tags", null);
    assertEquals("GRAPHQL_PARSE_FAILED", Gql.code(parse));
    JsonObject invalid = gql.ok(null, "{ nope }", null);
    assertEquals("GRAPHQL_VALIDATION_FAILED", Gql.code(invalid));
    assertNotNull(Gql.error(invalid).getJsonArray("locations"));
    assertEquals("GRAPHQL_VALIDATION_FAILED", Gql.code(gql.ok(null, "{ articles { totalCount } }", null)), "first is required");

    HttpResponse<Buffer> notJson = client.raw(HttpMethod.POST, "/graphql", null, "application/json", Buffer.buffer("{oops"));
    assertEquals(400, notJson.statusCode());
    assertEquals("BAD_REQUEST", Gql.code(notJson.bodyAsJsonObject()));
    HttpResponse<Buffer> noQuery = client.post("/graphql", null, new JsonObject());
    assertEquals(400, noQuery.statusCode());
    HttpResponse<Buffer> text = client.raw(HttpMethod.POST, "/graphql", null, "text/plain", Buffer.buffer("{ tags }"));
    assertEquals(415, text.statusCode());
    HttpResponse<Buffer> put = client.send(HttpMethod.PUT, "/graphql", null, new JsonObject().put("query", "{ tags }"));
    assertEquals(405, put.statusCode());
    HttpResponse<Buffer> tooLarge = client.raw(HttpMethod.POST, "/graphql", null, "application/json",
        Buffer.buffer("{\"query\": \"" + "x".repeat(2 << 20) + "\"}"));
    assertEquals(413, tooLarge.statusCode());
    assertEquals("REQUEST_TOO_LARGE", Gql.code(tooLarge.bodyAsJsonObject()));
    HttpResponse<Buffer> preflight = web.request(HttpMethod.OPTIONS, "/graphql").putHeader("Origin", "https://app.example")
        .putHeader("Access-Control-Request-Method", "POST").putHeader("Access-Control-Request-Headers", "content-type,authorization")
        .send().await();
    assertTrue(preflight.statusCode() / 100 == 2, "CORS preflight: " + preflight.statusCode());
    assertNotNull(preflight.getHeader("Access-Control-Allow-Methods"));
    HttpResponse<Buffer> getMutation = client.get("/graphql?query=" + enc("mutation { deleteArticle(slug: \"x\") }"));
    assertEquals(405, getMutation.statusCode());
    assertEquals("METHOD_NOT_ALLOWED", Gql.code(getMutation.bodyAsJsonObject()));
  }

  @Test
  void getIsCacheableLikeRest() {
    HttpResponse<Buffer> r = client.get("/graphql?query=" + enc("query($n: Int!) { articles(first: $n) { totalCount } }")
        + "&variables=" + enc("{\"n\": 1}"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertNotNull(r.bodyAsJsonObject().getJsonObject("data").getJsonObject("articles").getValue("totalCount"));
    String etag = r.getHeader("ETag");
    assertNotNull(etag);
    assertTrue(r.getHeader("Cache-Control").startsWith("public"), r.getHeader("Cache-Control"));
    assertNotNull(r.getHeader("RateLimit"));
    assertNotNull(r.getHeader("X-Request-Id"));
    HttpResponse<Buffer> again = web.get("/graphql?query=" + enc("query($n: Int!) { articles(first: $n) { totalCount } }")
        + "&variables=" + enc("{\"n\": 1}")).putHeader("If-None-Match", etag).send().await();
    assertEquals(304, again.statusCode());
    HttpResponse<Buffer> failed = client.get("/graphql?query=" + enc("{ article(slug: \"no-such-1\") { title } }"));
    assertEquals(200, failed.statusCode());
    assertNull(failed.getHeader("ETag"), "a result with errors is not cached");
  }

  @Test
  void introspectionIsOnInDev() {
    JsonObject schema = gql.data(null, "{ __schema { queryType { name } mutationType { name } } }", null)
        .getJsonObject("__schema");
    assertEquals("Mutation", schema.getJsonObject("mutationType").getString("name"));
  }

  @Test
  void hugeInputsAreRefusedWithoutA5xx() {
    HttpResponse<Buffer> big = gql.post(null, "{ tags }" + " ".repeat(9000), null);
    assertEquals(200, big.statusCode());
    assertEquals("QUERY_TOO_LARGE", Gql.code(big.bodyAsJsonObject()));
    HttpResponse<Buffer> nested = gql.post(null, "{".repeat(4000) + "}".repeat(4000), null);
    assertTrue(nested.statusCode() < 500, nested.statusCode() + " " + nested.bodyAsString());
    HttpResponse<Buffer> nul = gql.post(null, "{ articles(tag: \"a\\u0000b\", first: 1) { totalCount } }", null);
    assertEquals("BAD_USER_INPUT", Gql.code(nul.bodyAsJsonObject()), nul.bodyAsString());
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
