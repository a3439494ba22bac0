package surge.articles;

import java.text.Normalizer;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Article slugs: a readable part from the title plus the article id in base 36, e.g.
 * {@code how-to-train-your-dragon-5xk2a9q0b1c}. The id suffix makes duplicate titles distinct and
 * routes a slug to its shard without a lookup; the title part changes with the title.
 */
public final class Slugs {
  static final int MAX_TITLE_PART = 60;

  private Slugs() {}

  public static String of(String title, long id) {
    return titlePart(title) + "-" + Long.toString(id, 36);
  }

  /** The id a slug names, or empty for anything that is not one of ours. */
  public static OptionalLong idOf(String slug) {
    int dash = slug.lastIndexOf('-');
    String suffix = slug.substring(dash + 1);
    if (dash < 1 || suffix.isEmpty() || suffix.length() > 13) return OptionalLong.empty();
    for (int i = 0; i < suffix.length(); i++) {
      char c = suffix.charAt(i);
      if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'z')) return OptionalLong.empty();
    }
    try {
      long id = Long.parseLong(suffix, 36);
      return id > 0 ? OptionalLong.of(id) : OptionalLong.empty();
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** Lower-case ASCII words joined by dashes; accents are folded, other scripts give "article". */
  static String titlePart(String title) {
    String folded = Normalizer.normalize(title, Normalizer.Form.NFKD).replaceAll("\\p{M}+", "");
    StringBuilder out = new StringBuilder();
    boolean dash = false;
    for (int i = 0; i < folded.length() && out.length() < MAX_TITLE_PART; i++) {
      char c = Character.toLowerCase(folded.charAt(i));
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        if (dash && out.length() > 0) {
          if (out.length() + 1 >= MAX_TITLE_PART) break; // no room for the dash and a character
          out.append('-');
        }
        out.append(c);
        dash = false;
      } else {
        dash = true;
      }
    }
    String part = out.toString().toLowerCase(Locale.ROOT);
    return part.isEmpty() ? "article" : part;
  }
}
