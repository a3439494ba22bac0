package surge.bench;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * What to generate: sizes, seed, the dataset's name and the one password every seeded user has.
 * The generator's own flags; every other {@code --key=value} is a config key (db.shards etc.).
 */
record DatasetSpec(String name, long seed, int users, int articles, int favorites, int comments, int follows, int tags,
                   String password, String out, boolean reset) {

  static final String USAGE = "usage: benchmarks/seed [--users=10000] [--articles=100000] [--favorites=articles×10]"
      + " [--comments=articles×2] [--follows=users×10] [--tags=500] [--seed=42] [--name=default] [--password=bench-password]"
      + " [--out=benchmarks/data] [--reset] [--db.shards=...] [--key=value...]";

  /**
   * Favorites, comments and follows not given scale with the articles and users: 10 and 2 per article, 10 per
   * user (within the limits {@link #check} sets), so {@code --users=200 --articles=1000} alone is a valid small set.
   */
  static DatasetSpec defaults() {
    return new DatasetSpec("default", 42, 10_000, 100_000, -1, -1, -1, 500, "bench-password", "benchmarks/data", false);
  }

  /** The spec from the generator's flags; {@code configArgs} receives the rest. */
  static DatasetSpec parse(List<String> args, List<String> configArgs) {
    DatasetSpec s = defaults();
    for (String arg : args) {
      if (arg.equals("--reset")) {
        s = s.with("reset", "true");
        continue;
      }
      int eq = arg.indexOf('=');
      String key = eq > 2 && arg.startsWith("--") ? arg.substring(2, eq) : "";
      if (OWN_KEYS.contains(key)) s = s.with(key, arg.substring(eq + 1));
      else if (arg.startsWith("--") && !key.isEmpty()) configArgs.add(arg);
      else throw new IllegalArgumentException("unexpected argument '" + arg + "'; " + USAGE);
    }
    s = s.scaled();
    s.check();
    return s;
  }

  private DatasetSpec scaled() {
    long maxFavorites = (long) articles * users / 2;
    long maxFollows = (long) users * (users - 1) / 4;
    return new DatasetSpec(name, seed, users, articles,
        favorites < 0 ? (int) Math.min(articles * 10L, maxFavorites) : favorites,
        comments < 0 ? articles * 2 : comments,
        follows < 0 ? (int) Math.min(users * 10L, maxFollows) : follows, tags, password, out, reset);
  }

  private static final List<String> OWN_KEYS = List.of("name", "seed", "users", "articles", "favorites", "comments",
      "follows", "tags", "password", "out");

  private DatasetSpec with(String key, String value) {
    JsonObject j = toJson().put("password", password).put("out", out).put("reset", reset);
    switch (key) {
      case "name", "password", "out" -> j.put(key, value);
      case "seed" -> j.put(key, number(key, value));
      case "reset" -> j.put(key, true);
      default -> j.put(key, (int) Math.min(Integer.MAX_VALUE, number(key, value)));
    }
    return new DatasetSpec(j.getString("name"), j.getLong("seed"), j.getInteger("users"), j.getInteger("articles"),
        j.getInteger("favorites"), j.getInteger("comments"), j.getInteger("follows"), j.getInteger("tags"),
        j.getString("password"), j.getString("out"), j.getBoolean("reset"));
  }

  private static long number(String key, String value) {
    try {
      return Long.parseLong(value.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + key + ": '" + value + "' is not a whole number");
    }
  }

  /** Sizes the generator can honour without endless retries for unique pairs. */
  private void check() {
    List<String> problems = new ArrayList<>();
    if (!name.matches("[A-Za-z0-9_.-]{1,40}")) problems.add("--name: letters, digits, '_', '.', '-' only");
    if (users < 2) problems.add("--users: at least 2");
    if (articles < 1) problems.add("--articles: at least 1");
    if (tags < 1) problems.add("--tags: at least 1");
    if (articles > 100_000_000 || users > 100_000_000) problems.add("--users, --articles: at most 100,000,000");
    if ((long) favorites * 2 > (long) articles * users) problems.add("--favorites: at most articles × users / 2");
    if ((long) follows * 4 > (long) users * (users - 1)) problems.add("--follows: at most users × (users - 1) / 4");
    if (password.isEmpty()) problems.add("--password: cannot be empty");
    if (!problems.isEmpty()) throw new IllegalArgumentException(String.join("; ", problems));
  }

  /** What makes two datasets the same: recorded in each database and in the manifest. */
  JsonObject toJson() {
    return new JsonObject().put("name", name).put("seed", seed).put("users", users).put("articles", articles)
        .put("favorites", favorites).put("comments", comments).put("follows", follows).put("tags", tags).put("password", password);
  }
}
