package surge.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Client;
import surge.support.TestNode;

/** ETag, 304 and Cache-Control on GET responses; nothing of the kind on errors and writes. */
@ExtendWith(VertxExtension.class)
class HttpCachingIT {
  static TestNode.Started node;
  static Client client;
  static WebClient web;
  static String token;
  static String slug;
  static String username;

  @BeforeAll
  static void start(Vertx vertx) {
    node = TestNode.start(vertx, Map.of("http.cacheMaxAgeSeconds", "7"));
    client = new Client(vertx, node.port());
    web = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(node.port()));
    JsonObject user = client.register("etag");
    token = user.getString("token");
    username = user.getString("username");
    slug = client.article(token, Client.unique("Etag"), Client.unique("t")).getString("slug");
  }

  @AfterAll
  static void stop() {
    node.stop();
  }

  static HttpResponse<Buffer> get(String path, String token, String ifNoneMatch) {
    var request = web.get(path);
    if (token != null) request.putHeader("Authorization", "Token " + token);
    if (ifNoneMatch != null) request.putHeader("If-None-Match", ifNoneMatch);
    return request.send().await();
  }

  @Test
  void anonymousReadsArePublicWithAnEtagAnd304() {
    for (String path : new String[] {"/api/articles/" + slug, "/api/articles", "/api/articles?limit=5", "/api/tags",
        "/api/profiles/" + username, "/api/articles/" + slug + "/comments"}) {
      HttpResponse<Buffer> first = get(path, null, null);
      assertEquals(200, first.statusCode(), path);
      String etag = first.getHeader("ETag");
      assertNotNull(etag, path);
      assertTrue(etag.startsWith("\"") && etag.endsWith("\""), "strong ETag: " + etag);
      assertEquals("public, max-age=0, must-revalidate, s-maxage=7", first.getHeader("Cache-Control"), path);
      assertEquals("Authorization", first.getHeader("Vary"), path);

      HttpResponse<Buffer> again = get(path, null, etag);
      assertEquals(304, again.statusCode(), path);
      assertTrue(again.body() == null || again.body().length() == 0, "304 has no body");
      assertEquals(etag, again.getHeader("ETag"));
      assertEquals(304, get(path, null, "\"other\", W/" + etag).statusCode(), "weak form in a list matches");
      assertEquals(200, get(path, null, "\"other\"").statusCode(), path);
    }
  }

  @Test
  void signedInReadsArePrivateAndRevalidate() {
    HttpResponse<Buffer> r = get("/api/articles/" + slug, token, null);
    assertEquals(200, r.statusCode());
    assertEquals("private, no-cache", r.getHeader("Cache-Control"));
    assertNotNull(r.getHeader("ETag"));
    assertEquals(304, get("/api/articles/" + slug, token, r.getHeader("ETag")).statusCode());
    assertEquals("private, no-cache", get("/api/user", token, null).getHeader("Cache-Control"));
    assertEquals("private, no-cache", get("/api/articles/feed", token, null).getHeader("Cache-Control"));
    assertEquals("private, no-cache", get("/api/articles", token, null).getHeader("Cache-Control"));
  }

  @Test
  void anonymousAndSignedInCopiesDiffer() {
    client.post("/api/articles/" + slug + "/favorite", token, null);
    String anonymous = get("/api/articles/" + slug, null, null).getHeader("ETag");
    String signedIn = get("/api/articles/" + slug, token, null).getHeader("ETag");
    assertNotEquals(anonymous, signedIn, "favorited differs, so must the ETag");
    client.delete("/api/articles/" + slug + "/favorite", token);
  }

  @Test
  void errorsAndWritesCarryNoCachingHeaders() {
    HttpResponse<Buffer> missing = get("/api/articles/no-such-article-1", null, null);
    assertEquals(404, missing.statusCode());
    assertNull(missing.getHeader("ETag"));
    assertNull(missing.getHeader("Cache-Control"));
    HttpResponse<Buffer> unauthorized = get("/api/user", null, null);
    assertEquals(401, unauthorized.statusCode());
    assertNull(unauthorized.getHeader("ETag"));
    assertNull(unauthorized.getHeader("Cache-Control"));
    HttpResponse<Buffer> created = client.post("/api/articles", token, new JsonObject().put("article",
        new JsonObject().put("title", Client.unique("W")).put("description", "d").put("body", "b")));
    assertEquals(201, created.statusCode());
    assertNull(created.getHeader("ETag"));
    assertNull(created.getHeader("Cache-Control"));
    assertEquals("no-store", get("/health/live", null, null).getHeader("Cache-Control"));
  }

  @Test
  void theEtagChangesWhenTheArticleDoes() {
    String own = client.article(token, Client.unique("Changing")).getString("slug");
    HttpResponse<Buffer> before = get("/api/articles/" + own, null, null);
    String etag = before.getHeader("ETag");
    HttpResponse<Buffer> put = client.put("/api/articles/" + own, token,
        new JsonObject().put("article", new JsonObject().put("body", Client.unique("new body"))));
    assertEquals(200, put.statusCode());
    HttpResponse<Buffer> after = get("/api/articles/" + own, null, etag);
    assertEquals(200, after.statusCode(), "the old ETag no longer matches");
    assertNotEquals(etag, after.getHeader("ETag"));
  }

  @Test
  void etagMatching() {
    String tag = HttpCaching.etag(Buffer.buffer("{\"a\":1}"));
    assertEquals(tag, HttpCaching.etag(Buffer.buffer("{\"a\":1}")));
    assertNotEquals(tag, HttpCaching.etag(Buffer.buffer("{\"a\":2}")));
    assertTrue(HttpCaching.matches("*", tag));
    assertTrue(HttpCaching.matches(" W/" + tag + " ", tag));
    assertTrue(!HttpCaching.matches(null, tag));
  }
}
