package surge.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * What the load scenarios need to know about a seeded dataset, in {@code <out>/<name>/}:
 * {@code manifest.json} (seed, sizes, the common password, popular tags, most-followed authors,
 * naming rules), {@code users.csv} (index, id, username, email) for signing JWTs (the token's subject
 * is the user id) and {@code articles.csv} (by popularity rank: rank 0 is the article most favorited
 * and commented, so a Zipf draw over the rows reads like the dataset's own traffic).
 */
final class Manifest {
  static final int TOP = 25;

  private Manifest() {}

  static Path write(DatasetPlan plan, JsonObject identity, String passwordHash) {
    Path dir = Path.of(plan.spec.out(), plan.spec.name());
    try {
      Files.createDirectories(dir);
      writeUsers(plan, dir.resolve("users.csv"));
      writeArticles(plan, dir.resolve("articles.csv"));
      Path manifest = dir.resolve("manifest.json");
      Files.writeString(manifest, json(plan, identity, passwordHash).encodePrettily() + "\n", StandardCharsets.UTF_8);
      return manifest;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the manifest in " + dir + ": " + e.getMessage(), e);
    }
  }

  static JsonObject json(DatasetPlan plan, JsonObject identity, String passwordHash) {
    DatasetSpec spec = plan.spec;
    return new JsonObject()
        .put("name", spec.name())
        .put("seed", spec.seed())
        .put("generator", "surge.bench.Dataset (benchmarks/seed)")
        .put("identity", identity)
        .put("sizes", new JsonObject().put("users", spec.users()).put("articles", spec.articles())
            .put("favorites", spec.favorites()).put("comments", spec.comments()).put("follows", spec.follows())
            .put("tags", spec.tags()))
        .put("password", spec.password())
        .put("passwordNote", "every seeded user has this password; one Argon2id hash (salt from the seed) is stored for all")
        .put("passwordHash", passwordHash)
        .put("timeWindow", new JsonObject().put("from", Instant.ofEpochMilli(DatasetPlan.START_MS).toString())
            .put("to", Instant.ofEpochMilli(DatasetPlan.END_MS).toString()))
        .put("users", new JsonObject().put("file", "users.csv").put("columns", new JsonArray().add("index").add("id")
            .add("username").add("email")).put("usernameRule", "user<index>")
            .put("emailRule", "user<index>@" + DatasetPlan.EMAIL_DOMAIN)
            .put("jwt", "sub = the user id as a decimal string (surge.auth.Tokens), signed with auth.jwtSecret"))
        .put("articles", new JsonObject().put("file", "articles.csv").put("columns", new JsonArray().add("rank").add("id")
            .add("slug").add("authorIndex").add("favoritesCount").add("tags"))
            .put("order", "popularity rank, rank 0 most popular (favorites: Zipf s=" + DatasetPlan.ARTICLE_EXPONENT
                + ", comments: s=" + DatasetPlan.COMMENT_EXPONENT + ")")
            .put("slugRule", "Slugs.of(title, id): title words + '-' + id in base 36; the id routes to the author's shard"))
        .put("popularTags", popularTags(plan))
        .put("mostFollowed", mostFollowed(plan))
        .put("outbox", "no events: seeded history is not news; the outbox tables stay empty")
        .put("distributions", new JsonObject().put("tags", "Zipf s=" + DatasetPlan.TAG_EXPONENT + ", 0-"
                + DatasetPlan.MAX_TAGS_PER_ARTICLE + " per article")
            .put("authors", "Zipf s=" + DatasetPlan.AUTHOR_EXPONENT + " over user popularity")
            .put("followees", "Zipf s=" + DatasetPlan.FOLLOWEE_EXPONENT + " over user popularity; followers uniform")
            .put("favorites", "article Zipf s=" + DatasetPlan.ARTICLE_EXPONENT + ", user uniform, no duplicate pair")
            .put("comments", "article Zipf s=" + DatasetPlan.COMMENT_EXPONENT + " over the same popularity, author uniform"));
  }

  private static JsonArray popularTags(DatasetPlan plan) {
    JsonArray out = new JsonArray();
    Integer[] order = IntStream.range(0, plan.tagUses.length).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingInt((Integer t) -> -plan.tagUses[t]).thenComparing(t -> t));
    for (int i = 0; i < Math.min(TOP, order.length); i++) {
      out.add(new JsonObject().put("tag", plan.tagNames.get(order[i])).put("articles", plan.tagUses[order[i]]));
    }
    return out;
  }

  private static JsonArray mostFollowed(DatasetPlan plan) {
    JsonArray out = new JsonArray();
    Integer[] order = IntStream.range(0, plan.followers.length).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingInt((Integer u) -> -plan.followers[u]).thenComparing(u -> u));
    int[] articles = new int[plan.followers.length];
    for (int author : plan.articleAuthor) articles[author]++;
    for (int i = 0; i < Math.min(TOP, order.length); i++) {
      int u = order[i];
      out.add(new JsonObject().put("index", u).put("id", Long.toString(plan.userId[u])).put("username", DatasetPlan.username(u))
          .put("followers", plan.followers[u]).put("articles", articles[u]));
    }
    return out;
  }

  private static void writeUsers(DatasetPlan plan, Path file) throws IOException {
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write("index,id,username,email\n");
      for (int u = 0; u < plan.userId.length; u++) {
        out.write(u + "," + plan.userId[u] + "," + DatasetPlan.username(u) + "," + DatasetPlan.email(u) + "\n");
      }
    }
  }

  /** Tags are separated by '|' inside their column, so the file stays plain CSV. */
  private static void writeArticles(DatasetPlan plan, Path file) throws IOException {
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write("rank,id,slug,authorIndex,favoritesCount,tags\n");
      for (int rank = 0; rank < plan.articleByRank.length; rank++) {
        int a = plan.articleByRank[rank];
        out.write(rank + "," + plan.articleId[a] + "," + plan.slug(a) + "," + plan.articleAuthor[a] + ","
            + plan.favoritesCount[a] + "," + plan.articleTags[a].replace(',', '|') + "\n");
      }
    }
  }
}
