package surge.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** A page marked shared is encoded once, to the same bytes and ETag a fresh encoding gives; other bodies are not kept. */
class EncodedJsonTest {

  private static JsonObject page(String title) {
    return new JsonObject().put("articles", new JsonArray().add(new JsonObject().put("title", title)
        .put("tagList", new JsonArray().add("zipf").add("ünïcode")))).put("articlesCount", 1);
  }

  @Test
  void aSharedPageIsEncodedOnceToWhatAFreshEncodingGives() {
    JsonObject page = page("Shared");
    assertSame(page, EncodedJson.shared(page));
    EncodedJson.Encoded first = EncodedJson.of(page);
    assertEquals(page.toBuffer(), first.bytes());
    assertEquals(HttpCaching.etag(page.toBuffer()), first.etag());
    EncodedJson.shared(page); // every cache hit marks it again
    assertSame(first.bytes(), EncodedJson.of(page).bytes(), "encoded once, not per response");
  }

  @Test
  void equalButDistinctBodiesAreNotConfused() {
    JsonObject shared = EncodedJson.shared(page("Same"));
    JsonObject fresh = page("Same");
    assertEquals(shared, fresh);
    assertNull(EncodedJson.of(fresh), "identity, not equality: a body built per request is encoded per request");
    assertEquals(shared.toBuffer(), EncodedJson.of(shared).bytes());
  }
}
