package surge.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** A page marked shared is encoded once, to the same bytes and ETag a fresh encoding gives; other bodies are not kept. */
class EncodedJsonTest {

  private static JsonObject page(String title) {
    return new JsonObject().put("articles", new JsonArray().add(new JsonObject().put("title", title)
        .put("tagList", new JsonArray().add("zipf").add("ünïcode")))).put("articlesCount", 1);
  }

  private static JsonObject item(String title, String bio) {
    return new JsonObject().put("slug", "s").put("title", title).put("favorited", false).put("favoritesCount", 0)
        .put("author", new JsonObject().put("username", "u").put("bio", bio).put("following", false));
  }

  @Test
  void flagsPatchedIntoASharedPageReadAsTheFlaggedCopyWouldAndTheSharedBytesStay() {
    // text that looks like the flags must not be taken for them: inside strings the quotes are escaped
    JsonObject page = new JsonObject().put("articles", new JsonArray()
            .add(item("\"favorited\":false", "\"following\":false"))
            .add(item("plain", null))
            .add(item("third", "ünïcode")))
        .put("articlesCount", 3);
    EncodedJson.shared(page);
    var fields = java.util.List.of("favorited", "following");
    EncodedJson.Encoded flagged = EncodedJson.flagged(page, fields,
        new boolean[] {true, false, true}, new boolean[] {false, true, true});
    JsonObject read = new JsonObject(flagged.bytes());
    JsonArray articles = read.getJsonArray("articles");
    boolean[][] want = {{true, false}, {false, true}, {true, true}};
    for (int i = 0; i < 3; i++) {
      JsonObject a = articles.getJsonObject(i);
      assertEquals(want[i][0], a.getBoolean("favorited"), "favorited of #" + i);
      assertEquals(want[i][1], a.getJsonObject("author").getBoolean("following"), "following of #" + i);
      assertEquals(page.getJsonArray("articles").getJsonObject(i).getString("title"), a.getString("title"));
    }
    assertEquals(page.toBuffer(), EncodedJson.of(page).bytes(), "the shared encoding is untouched");
    assertSame(EncodedJson.of(page).bytes(),
        EncodedJson.flagged(page, fields, new boolean[3], new boolean[3]).bytes(), "no flag set: the shared bytes");
  }

  @Test
  void aFlaggedCopysETagNamesItsFlagsSoTwoDifferentCopiesNeverShareOne() {
    JsonObject page = new JsonObject().put("articles", new JsonArray().add(item("a", null)).add(item("b", null)))
        .put("articlesCount", 2);
    EncodedJson.shared(page);
    var fields = java.util.List.of("favorited", "following");
    boolean[][][] cases = {
        {{true, false}, {false, false}}, {{false, true}, {false, false}}, {{false, false}, {true, false}},
        {{true, true}, {false, false}}, {{true, false}, {true, false}}, {{true, true}, {true, true}}};
    java.util.Map<String, JsonObject> seen = new java.util.HashMap<>();
    seen.put(EncodedJson.of(page).etag(), new JsonObject(EncodedJson.of(page).bytes()));
    for (boolean[][] flags : cases) {
      EncodedJson.Encoded copy = EncodedJson.flagged(page, fields, flags[0], flags[1]);
      JsonObject body = new JsonObject(copy.bytes());
      assertTrue(copy.etag().startsWith("\"") && copy.etag().endsWith("\""), copy.etag());
      assertEquals(1, copy.etag().chars().filter(c -> c == '"').count() - 1, "one quoted string: " + copy.etag());
      JsonObject before = seen.put(copy.etag(), body);
      assertNull(before, "ETag " + copy.etag() + " of two different bodies");
      assertEquals(copy.etag(), EncodedJson.flagged(page, fields, flags[0], flags[1]).etag(), "the same flags, the same ETag");
    }
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
