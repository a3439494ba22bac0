package surge.articles;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import surge.profiles.Profile;

/** The list item built straight from a cached core is the one the full round trip through {@link Article} builds. */
class ArticleJsonTest {
  static final Profile AUTHOR = new Profile(7, "jake", "I work at statefarm", null);
  static final Article ARTICLE = new Article(123456789L, "Ça va? Déjà vu — how to train your dragon", "Ever wonder how?",
      "It takes a Jacobian", new String[] {"dragons", "training"}, 42,
      OffsetDateTime.of(2016, 2, 18, 5, 22, 56, 637_000_000, ZoneOffset.ofHours(2)),
      OffsetDateTime.of(2016, 2, 18, 3, 48, 35, 824_000_000, ZoneOffset.UTC), AUTHOR, false);

  @Test
  void theListItemFromACoreIsTheRoundTripsForEveryFlag() {
    JsonObject core = ARTICLE.core();
    for (boolean favorited : new boolean[] {false, true}) {
      for (boolean following : new boolean[] {false, true}) {
        JsonObject expected = Article.fromCore(core, AUTHOR, favorited).listed().toJson(following);
        JsonObject actual = Article.listedJson(core, AUTHOR, favorited, following);
        assertEquals(expected, actual);
        assertEquals(expected.encode(), actual.encode(), "same fields in the same order");
      }
    }
  }

  @Test
  void aCoreWrittenBeforeCoresCarriedTheSlugStillGetsIt() {
    JsonObject old = ARTICLE.core();
    old.remove("slug");
    assertEquals(ARTICLE.slug(), Article.listedJson(old, AUTHOR, true, true).getString("slug"));
    assertEquals(Article.fromCore(old, AUTHOR, true).listed().toJson(true), Article.listedJson(old, AUTHOR, true, true));
  }
}
