package surge.events;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import surge.articles.Slugs;

/** Aggregate ids (as events spell them: decimal strings) of what a test created through the API. */
final class Ids {
  private Ids() {}

  static String userOf(String token) {
    String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
    return new JsonObject(payload).getString("sub");
  }

  static String articleOf(String slug) {
    return Long.toString(Slugs.idOf(slug).orElseThrow());
  }
}
