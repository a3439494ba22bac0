package surge.articles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SlugsTest {
  private static final long ID = 123_456_789_012_345L;
  private static final String ID36 = Long.toString(ID, 36);

  @Test
  void idOfReturnsTheIdThatOfEncoded() {
    Random random = new Random(36);
    String[] titles = {"How to train your dragon", "Crème Brûlée", "Привет", "", "a-b-c", "x".repeat(500), "9 lives"};
    long[] fixed = {1, 35, 36, 1L << 53, Long.MAX_VALUE};
    for (long id : fixed) {
      for (String title : titles) assertEquals(OptionalLong.of(id), Slugs.idOf(Slugs.of(title, id)), title + " / " + id);
    }
    for (int i = 0; i < 50_000; i++) {
      long id = 1 + (random.nextLong() >>> 1) % Long.MAX_VALUE;
      String title = titles[i % titles.length];
      assertEquals(OptionalLong.of(id), Slugs.idOf(Slugs.of(title, id)), title + " / " + id);
    }
  }

  @Test
  void slugIsTitlePartDashBase36Id() {
    assertEquals("how-to-train-your-dragon-" + ID36, Slugs.of("How to train your dragon", ID));
  }

  @Test
  void accentsAreFolded() {
    assertEquals("creme-brulee-" + ID36, Slugs.of("Crème Brûlée", ID));
    assertEquals("aeiou-nc-" + ID36, Slugs.of("ÁÉÍÓÚ ñç", ID));
  }

  @Test
  void punctuationAndSpacesCollapseToSingleDashesWithNoDashAtEitherEnd() {
    assertEquals("hello-world-vert-x-5", Slugs.titlePart("  ¡Hello,   World!!! -- Vert.x 5?  "));
    assertEquals("a-b", Slugs.titlePart("---a___b---"));
    assertEquals("hello-world-vert-x-5-" + ID36, Slugs.of("...Hello -- World / Vert.x (5)!", ID));
    Random random = new Random(3);
    String alphabet = "ab9 -_.,!?/é\t\n";
    for (int i = 0; i < 20_000; i++) {
      StringBuilder title = new StringBuilder();
      for (int j = random.nextInt(80); j > 0; j--) title.append(alphabet.charAt(random.nextInt(alphabet.length())));
      String part = Slugs.titlePart(title.toString());
      assertTrue(part.matches("[a-z0-9]+(-[a-z0-9]+)*"), "'" + title + "' -> '" + part + "'");
    }
  }

  @Test
  void titlesWithoutLatinLettersOrDigitsGiveArticle() {
    assertEquals("article-" + ID36, Slugs.of("Привет мир", ID));
    assertEquals("article-" + ID36, Slugs.of("日本語のタイトル", ID));
    assertEquals("article-" + ID36, Slugs.of("!!! ???", ID));
    assertEquals("article-" + ID36, Slugs.of("", ID));
    assertEquals("article-" + ID36, Slugs.of("🔥🔥", ID));
  }

  @Test
  void longTitlesAreTruncatedToTheTitlePartLimit() {
    assertEquals("a".repeat(Slugs.MAX_TITLE_PART), Slugs.titlePart("a".repeat(500)));
    assertEquals("a".repeat(Slugs.MAX_TITLE_PART) + "-" + ID36, Slugs.of("A".repeat(500), ID));
  }

  @Test
  void truncationNeverExceedsTheLimitOrEndsWithADashWhereAWordBoundaryFallsAtTheLimit() {
    // A word ends one character before the limit: the dash and the next word's first letter must not
    // push the title part past MAX_TITLE_PART.
    String part = Slugs.titlePart("a".repeat(Slugs.MAX_TITLE_PART - 1) + " bcd");
    assertTrue(part.length() <= Slugs.MAX_TITLE_PART, part.length() + ": " + part);
    assertFalse(part.endsWith("-"), part);
    for (int wordLength = 1; wordLength < 12; wordLength++) {
      String title = ("w".repeat(wordLength) + " ").repeat(100);
      String p = Slugs.titlePart(title);
      assertTrue(p.length() <= Slugs.MAX_TITLE_PART, "word length " + wordLength + ": " + p.length() + " " + p);
      assertFalse(p.endsWith("-"), p);
      assertTrue(p.length() >= Slugs.MAX_TITLE_PART - wordLength - 1, "cut too early: " + p);
    }
  }

  @Test
  void duplicateTitlesWithDifferentIdsGiveDifferentSlugs() {
    String a = Slugs.of("Same title", 1001);
    String b = Slugs.of("Same title", 1002);
    assertNotEquals(a, b);
    assertEquals(OptionalLong.of(1001), Slugs.idOf(a));
    assertEquals(OptionalLong.of(1002), Slugs.idOf(b));
  }

  @Test
  void idOfRejectsAnythingThatIsNotOneOfOurSlugs() {
    String[] garbage = {
        "", "-", "--", "abc", "x-", "x-!!", "x-a!", "x-" + "1".repeat(14), "x-ABC", "x-Abc",
        "x-0", "x-000", "-5", "-abc", "x-zzzzzzzzzzzzz", // 13 digits of base 36 above Long.MAX_VALUE
        "x-" + Long.toString(Long.MIN_VALUE, 36).substring(1), // 2^63: overflows
        "x-1 ", "x- 1", "x-é"};
    for (String slug : garbage) assertEquals(OptionalLong.empty(), Slugs.idOf(slug), "'" + slug + "'");
  }

  @Test
  void idOfAcceptsTheLargestPositiveId() {
    assertEquals(OptionalLong.of(Long.MAX_VALUE), Slugs.idOf("x-" + Long.toString(Long.MAX_VALUE, 36)));
    assertEquals(OptionalLong.of(1), Slugs.idOf("x-1"));
  }
}
