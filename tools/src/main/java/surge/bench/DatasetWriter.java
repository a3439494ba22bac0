package surge.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntToLongFunction;
import java.util.function.IntUnaryOperator;
import surge.db.Ids;
import surge.db.ShardMap;

/**
 * Writes a {@link DatasetPlan} into the physical shards of a shard map, each row where the app's
 * routing looks for it: users on their email's logical shard (the id carries it), directory rows on
 * the hash of the name, follows on the follower's shard, articles with their favorites and comments
 * on the author's. No outbox rows: seeded history is not news, and a relay would otherwise publish
 * millions of stale events.
 *
 * <p>A marker table, {@code bench_dataset}, records which dataset a database holds. It is written
 * last, on every shard, so a run cut short leaves data without a marker, which the next run refuses
 * (or clears with --reset) instead of mistaking it for a finished dataset.
 */
final class DatasetWriter {
  static final String MARKER = "bench_dataset";
  static final List<String> DATA_TABLES = List.of("users", "usernames", "emails", "follows", "articles", "favorites",
      "comments", "outbox");
  private static final String TS = "timestamptz 'epoch' + ms * interval '1 millisecond'";
  private static final String USERS = "INSERT INTO users (id, username, email, password_hash, bio, image, created_at, updated_at)"
      + " SELECT id, username, email, $7, bio, image, " + TS + ", " + TS
      + " FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[]) AS t(id, username, email, bio, image, ms)";
  private static final String DIRECTORY = "INSERT INTO %s (%s, user_id, reserved_at) SELECT k, id, " + TS
      + " FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS t(k, id, ms)";
  private static final String ARTICLES = "INSERT INTO articles"
      + " (id, author_id, title, description, body, tags, favorites_count, created_at, updated_at)"
      + " SELECT id, author, title, description, body, string_to_array(tags, ','), favorites, " + TS + ", " + TS
      + " FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::bigint[])"
      + " AS t(id, author, title, description, body, tags, favorites, ms)";
  private static final String PAIRS = "INSERT INTO %s (%s, %s, created_at) SELECT a, b, " + TS
      + " FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS t(a, b, ms)";
  private static final String COMMENTS = "INSERT INTO comments (id, article_id, author_id, body, created_at, updated_at)"
      + " SELECT id, article, author, body, " + TS + ", " + TS
      + " FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::bigint[]) AS t(id, article, author, body, ms)";

  /** What a database holds before the run. */
  record State(boolean hasMarkerTable, JsonObject marker, boolean hasData) {}

  private final ShardMap map;
  private final List<Pool> pools;
  private final Consumer<String> progress;

  DatasetWriter(ShardMap map, List<Pool> pools, Consumer<String> progress) {
    this.map = map;
    this.pools = pools;
    this.progress = progress;
  }

  /** The identity a finished dataset records: spec and the physical layout its rows follow. */
  JsonObject identity(DatasetSpec spec) {
    JsonArray physical = new JsonArray();
    for (ShardMap.Physical p : map.physical()) physical.add(p.name() + "=" + p.primary() + "/" + p.database());
    return spec.toJson().put("physical", physical);
  }

  List<State> states() {
    List<State> out = new ArrayList<>();
    for (Pool pool : pools) out.add(state(pool));
    return out;
  }

  private static State state(Pool pool) {
    boolean markerTable = pool.query("SELECT to_regclass('" + MARKER + "') IS NOT NULL").execute().await()
        .iterator().next().getBoolean(0);
    JsonObject marker = null;
    if (markerTable) {
      for (Row row : pool.query("SELECT identity::text FROM " + MARKER).execute().await()) marker = new JsonObject(row.getString(0));
    }
    StringBuilder any = new StringBuilder("SELECT false");
    for (String table : DATA_TABLES) any.append(" OR EXISTS (SELECT 1 FROM ").append(table).append(")");
    boolean data = pool.query(any.toString()).execute().await().iterator().next().getBoolean(0);
    return new State(markerTable, marker, data);
  }

  /** Empties the data tables; only in databases that are empty or that this tool seeded (they have the marker table). */
  void reset(List<State> states) {
    for (int p = 0; p < pools.size(); p++) {
      State state = states.get(p);
      if (state.hasData() && !state.hasMarkerTable()) {
        throw new IllegalStateException(map.names().get(p) + " (" + map.physical().get(p).database() + ") holds data this"
            + " generator did not write; --reset empties only benchmark databases. Choose others with --db.shards");
      }
    }
    for (Pool pool : pools) {
      pool.query("TRUNCATE " + String.join(", ", DATA_TABLES)).execute().await();
      pool.query("DROP TABLE IF EXISTS " + MARKER).execute().await();
    }
    progress.accept("reset: emptied " + String.join(", ", DATA_TABLES) + " on " + map.names());
  }

  /** Inserts everything, moves the comment sequences past the seeded ones, analyzes, then marks the databases. */
  void write(DatasetPlan plan, String passwordHash, JsonObject identity) {
    ShardLoader loader = new ShardLoader(pools, progress);
    loader.load("users", List.of(users(plan, passwordHash), directory(plan, "usernames", "username"),
        directory(plan, "emails", "email")));
    loader.load("articles", List.of(articles(plan)));
    loader.load("follows, favorites, comments", List.of(follows(plan), favorites(plan), comments(plan)));
    long started = System.nanoTime();
    for (Pool pool : pools) {
      // Comment ids are seq << 13 | shard, so the app's next comment must draw a sequence above every seeded one.
      pool.preparedQuery("SELECT setval('surge_comment_seq', greatest($1, (SELECT last_value FROM surge_comment_seq)))")
          .execute(Tuple.of(Math.max(1, plan.lastCommentSequence()))).await();
    }
    analyze();
    progress.accept("vacuum analyze: " + (System.nanoTime() - started) / 1_000_000 + " ms");
    for (Pool pool : pools) {
      pool.query("CREATE TABLE IF NOT EXISTS " + MARKER + " (identity jsonb NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now())")
          .execute().await();
      pool.preparedQuery("INSERT INTO " + MARKER + " (identity) VALUES ($1::text::jsonb)").execute(Tuple.of(identity.encode())).await();
    }
  }

  /** Fresh statistics and visibility maps, so the first benchmark run does not race autovacuum. */
  private void analyze() {
    List<Future<?>> runs = new ArrayList<>();
    for (Pool pool : pools) runs.add(pool.query("VACUUM (ANALYZE) " + String.join(", ", DATA_TABLES)).execute());
    for (Future<?> run : runs) run.await();
  }

  private ShardLoader.Table users(DatasetPlan plan, String passwordHash) {
    long seed = plan.spec.seed();
    int[][] rows = byShard(plan.spec.users(), u -> Ids.shardOf(plan.userId[u]));
    return new ShardLoader.Table("users", USERS, 5000, rows, (r, from, to) -> {
      int n = to - from;
      Long[] id = new Long[n];
      String[] name = new String[n];
      String[] email = new String[n];
      String[] bio = new String[n];
      String[] image = new String[n];
      Long[] ms = new Long[n];
      for (int i = 0; i < n; i++) {
        int u = r[from + i];
        id[i] = plan.userId[u];
        name[i] = DatasetPlan.username(u);
        email[i] = DatasetPlan.email(u);
        bio[i] = Words.bio(seed, u);
        image[i] = Words.image(seed, u);
        ms[i] = plan.userMs[u];
      }
      return Tuple.of(id, name, email, bio, image, ms).addString(passwordHash);
    });
  }

  /** Directory rows live on the shard of the name's hash, not the user's. */
  private ShardLoader.Table directory(DatasetPlan plan, String table, String column) {
    boolean emails = table.equals("emails");
    int[][] rows = byShard(plan.spec.users(),
        u -> Ids.shardForKey(emails ? DatasetPlan.email(u) : DatasetPlan.username(u)));
    return new ShardLoader.Table(table, DIRECTORY.formatted(table, column), 10_000, rows, (r, from, to) -> {
      int n = to - from;
      String[] key = new String[n];
      Long[] id = new Long[n];
      Long[] ms = new Long[n];
      for (int i = 0; i < n; i++) {
        int u = r[from + i];
        key[i] = emails ? DatasetPlan.email(u) : DatasetPlan.username(u); // emails are lower-case already
        id[i] = plan.userId[u];
        ms[i] = plan.userMs[u];
      }
      return Tuple.of(key, id, ms);
    });
  }

  private ShardLoader.Table articles(DatasetPlan plan) {
    long seed = plan.spec.seed();
    int[][] rows = byShard(plan.spec.articles(), a -> Ids.shardOf(plan.articleId[a]));
    return new ShardLoader.Table("articles", ARTICLES, 2000, rows, (r, from, to) -> {
      int n = to - from;
      Long[] id = new Long[n];
      Long[] author = new Long[n];
      String[] title = new String[n];
      String[] description = new String[n];
      String[] body = new String[n];
      String[] tags = new String[n];
      Integer[] favorites = new Integer[n];
      Long[] ms = new Long[n];
      for (int i = 0; i < n; i++) {
        int a = r[from + i];
        id[i] = plan.articleId[a];
        author[i] = plan.userId[plan.articleAuthor[a]];
        title[i] = Words.title(seed, a);
        description[i] = Words.description(seed, a);
        body[i] = Words.body(seed, a);
        tags[i] = plan.articleTags[a];
        favorites[i] = plan.favoritesCount[a];
        ms[i] = plan.articleMs[a];
      }
      return Tuple.of(id, author, title, description, body, tags).addArrayOfInteger(favorites).addArrayOfLong(ms);
    });
  }

  private ShardLoader.Table follows(DatasetPlan plan) {
    int[][] rows = byShard(plan.followFollower.length, f -> Ids.shardOf(plan.userId[plan.followFollower[f]]));
    return pairs("follows", "follower_id", "followee_id", rows,
        f -> plan.userId[plan.followFollower[f]], f -> plan.userId[plan.followFollowee[f]], f -> plan.followMs[f]);
  }

  private ShardLoader.Table favorites(DatasetPlan plan) {
    int[][] rows = byShard(plan.favoriteArticle.length, f -> Ids.shardOf(plan.articleId[plan.favoriteArticle[f]]));
    return pairs("favorites", "article_id", "user_id", rows,
        f -> plan.articleId[plan.favoriteArticle[f]], f -> plan.userId[plan.favoriteUser[f]], f -> plan.favoriteMs[f]);
  }

  private static ShardLoader.Table pairs(String table, String a, String b, int[][] rows,
                                         IntToLongFunction first, IntToLongFunction second, IntToLongFunction ms) {
    return new ShardLoader.Table(table, PAIRS.formatted(table, a, b), 10_000, rows, (r, from, to) -> {
      int n = to - from;
      Long[] x = new Long[n];
      Long[] y = new Long[n];
      Long[] t = new Long[n];
      for (int i = 0; i < n; i++) {
        x[i] = first.applyAsLong(r[from + i]);
        y[i] = second.applyAsLong(r[from + i]);
        t[i] = ms.applyAsLong(r[from + i]);
      }
      return Tuple.of(x, y, t);
    });
  }

  private ShardLoader.Table comments(DatasetPlan plan) {
    long seed = plan.spec.seed();
    int[][] rows = byShard(plan.commentId.length, c -> Ids.shardOfComment(plan.commentId[c]));
    return new ShardLoader.Table("comments", COMMENTS, 5000, rows, (r, from, to) -> {
      int n = to - from;
      Long[] id = new Long[n];
      Long[] article = new Long[n];
      Long[] author = new Long[n];
      String[] body = new String[n];
      Long[] ms = new Long[n];
      for (int i = 0; i < n; i++) {
        int c = r[from + i];
        id[i] = plan.commentId[c];
        article[i] = plan.articleId[plan.commentArticle[c]];
        author[i] = plan.userId[plan.commentAuthor[c]];
        body[i] = Words.comment(seed, plan.commentText[c]);
        ms[i] = plan.commentMs[c];
      }
      return Tuple.of(id, article, author, body, ms);
    });
  }

  /** Row indices 0..n-1 grouped by the physical shard that holds each row's logical shard. */
  private int[][] byShard(int n, IntUnaryOperator logicalOf) {
    int shards = map.physical().size();
    int[] counts = new int[shards];
    int[] physical = new int[n];
    for (int i = 0; i < n; i++) counts[physical[i] = map.physicalOf(logicalOf.applyAsInt(i))]++;
    int[][] out = new int[shards][];
    for (int p = 0; p < shards; p++) out[p] = new int[counts[p]];
    int[] fill = new int[shards];
    for (int i = 0; i < n; i++) out[physical[i]][fill[physical[i]]++] = i;
    return out;
  }

  static String describe(List<State> states) {
    return Arrays.toString(states.stream().map(s -> s.marker() != null ? s.marker().getString("name")
        : s.hasData() ? "data without a dataset marker" : "empty").toArray());
  }
}
