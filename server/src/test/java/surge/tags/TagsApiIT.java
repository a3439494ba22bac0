package surge.tags;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import surge.support.Client;
import surge.support.WithNode;

/** GET /tags. */
class TagsApiIT extends WithNode {

  static JsonArray tags(String path) {
    HttpResponse<Buffer> r = client.get(path);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals("application/json; charset=utf-8", r.getHeader("Content-Type"));
    JsonObject body = r.bodyAsJsonObject();
    assertEquals(Set.of("tags"), body.fieldNames());
    return body.getJsonArray("tags");
  }

  @Test
  void tagsOfANewArticleAreListedOnceEach() {
    String token = client.register("tg").getString("token");
    String t1 = Client.unique("tag");
    String t2 = Client.unique("tag");
    client.article(token, Client.unique("Tagged"), t2, t1, t2);
    client.article(token, Client.unique("Tagged again"), t1);
    JsonArray tags = tags("/api/tags");
    assertTrue(tags.contains(t1), t1);
    assertTrue(tags.contains(t2), t2);
    assertEquals(tags.size(), new HashSet<>(tags.getList()).size(), "tags must be distinct");
    for (Object tag : tags) assertTrue(tag instanceof String, String.valueOf(tag));
  }

  @Test
  void tagsNeedNoTokenAndWorkUnderApiV1() {
    String token = client.register("tg").getString("token");
    String tag = Client.unique("tag");
    client.article(token, Client.unique("V1 Tagged"), tag);
    assertTrue(tags("/api/v1/tags").contains(tag), tag);
  }

  @Test
  void tagsOfADeletedArticleDisappear() {
    String token = client.register("tg").getString("token");
    String tag = Client.unique("tag");
    String slug = client.article(token, Client.unique("Short-lived"), tag).getString("slug");
    assertTrue(tags("/api/tags").contains(tag));
    assertEquals(204, client.delete("/api/articles/" + slug, token).statusCode());
    assertFalse(tags("/api/tags").contains(tag), tag);
  }

  @Test
  void tagsRemovedByAnUpdateDisappear() {
    String token = client.register("tg").getString("token");
    String tag = Client.unique("tag");
    String slug = client.article(token, Client.unique("Retagged"), tag).getString("slug");
    HttpResponse<Buffer> r = client.put("/api/articles/" + slug, token,
        new JsonObject().put("article", new JsonObject().put("tagList", new JsonArray())));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertFalse(tags("/api/tags").contains(tag), tag);
  }
}
