package surge.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.db.Ids;
import surge.db.ShardMap;
import surge.support.Client;
import surge.support.TestNode;

/**
 * The generator against real PostgreSQL: a tiny dataset seeded twice with one seed into two pairs of
 * fresh databases (surge_gen_a*, surge_gen_b*, created if missing, wiped at start). Both pairs hold
 * the same rows; every row lives where the app's routing looks; a node on pair A serves the dataset
 * (login with the common password, article by slug, favorites count, tag list, feed); a rerun reuses it.
 */
@ExtendWith(VertxExtension.class)
class DatasetIT {
  private static final List<String> A = List.of("surge_gen_a0", "surge_gen_a1");
  private static final List<String> B = List.of("surge_gen_b0", "surge_gen_b1");
  /** One physical shard, for the reset guard. */
  private static final String C = "surge_gen_c0";
  private static final List<String> SIZE = List.of("--users=200", "--articles=1000", "--favorites=4000", "--comments=1500",
      "--follows=1200", "--tags=60", "--seed=7", "--name=tiny",
      // The stored hash carries its own cost; a cheap one keeps the login below fast.
      "--passwords.memoryKib=1024", "--passwords.iterations=1");
  /** Key order per table, for digests that compare whole tables. */
  private static final Map<String, String> ORDER = Map.of("users", "id", "usernames", "username", "emails", "email",
      "follows", "follower_id, followee_id", "articles", "id", "favorites", "article_id, user_id", "comments", "id");
  private static final String SEEDED_BEFORE = "timestamptz '2026-01-01 00:00:00Z'";
  /** The stack's primary, as every node of the suite finds it (SURGE_DB_HOST / SURGE_DB_PORT, else conf defaults). */
  private static final String DB_HOST = System.getenv().getOrDefault("SURGE_DB_HOST", "127.0.0.1");
  private static final int DB_PORT = Integer.parseInt(System.getenv().getOrDefault("SURGE_DB_PORT", "15432"));
  static final Map<String, Pool> pools = new HashMap<>();
  static DatasetPlan plan;
  static Path out;
  static Dataset.Report first;

  @BeforeAll
  static void seed(Vertx vertx) throws IOException {
    createMissingDatabases(vertx);
    for (String database : concat(concat(A, B), List.of(C))) {
      Pool pool = pool(vertx, database);
      pool.query("DROP SCHEMA public CASCADE; CREATE SCHEMA public").execute().await();
      pools.put(database, pool);
    }
    out = Files.createTempDirectory("surge-dataset");
    plan = DatasetPlan.of(DatasetSpec.parse(SIZE, new ArrayList<>()));
    first = run(A);
    run(B);
  }

  @AfterAll
  static void close() {
    pools.values().forEach(pool -> pool.close().await());
  }

  @Test
  void theSameSeedWritesTheSameRows() throws IOException {
    for (int p = 0; p < A.size(); p++) {
      for (String table : ORDER.keySet()) {
        String a = digest(pools.get(A.get(p)), table);
        assertEquals(a, digest(pools.get(B.get(p)), table), table + " on shard " + p);
        assertFalse(a.startsWith("0 "), table + " on shard " + p + " is empty");
      }
    }
    Path other = first.manifest().getParent();
    for (String file : List.of("users.csv", "articles.csv")) {
      assertEquals(Files.readString(other.resolve(file)), Files.readString(out.resolve("b").resolve("tiny").resolve(file)), file);
    }
  }

  @Test
  void everyRowLivesWhereTheAppRoutes() {
    ShardMap map = ShardMap.evenSplit(ShardMap.parse(String.join(",", A), new ShardMap.Endpoint(DB_HOST, DB_PORT), List.of()));
    long rows = 0;
    for (int p = 0; p < A.size(); p++) {
      Pool pool = pools.get(A.get(p));
      int shard = p;
      rows += check(pool, "SELECT id FROM users WHERE created_at < " + SEEDED_BEFORE,
          row -> map.physicalOf(Ids.shardOf(row.getLong(0))) == shard);
      rows += check(pool, "SELECT username FROM usernames WHERE reserved_at < " + SEEDED_BEFORE,
          row -> map.physicalOf(Ids.shardForKey(row.getString(0))) == shard);
      rows += check(pool, "SELECT email FROM emails WHERE reserved_at < " + SEEDED_BEFORE,
          row -> map.physicalOf(Ids.shardForKey(row.getString(0))) == shard);
      rows += check(pool, "SELECT follower_id FROM follows WHERE created_at < " + SEEDED_BEFORE,
          row -> map.physicalOf(Ids.shardOf(row.getLong(0))) == shard);
      rows += check(pool, "SELECT id, author_id FROM articles WHERE created_at < " + SEEDED_BEFORE,
          row -> map.physicalOf(Ids.shardOf(row.getLong(0))) == shard && Ids.shardOf(row.getLong(0)) == Ids.shardOf(row.getLong(1)));
      rows += check(pool, "SELECT article_id FROM favorites WHERE created_at < " + SEEDED_BEFORE,
          row -> map.physicalOf(Ids.shardOf(row.getLong(0))) == shard);
      rows += check(pool, "SELECT id, article_id FROM comments WHERE created_at < " + SEEDED_BEFORE,
          row -> row.getLong(0) <= Ids.MAX_SAFE_JSON_INTEGER && Ids.shardOfComment(row.getLong(0)) == Ids.shardOf(row.getLong(1))
              && map.physicalOf(Ids.shardOfComment(row.getLong(0))) == shard);
      assertEquals(0L, count(pool, "SELECT count(*) FROM outbox"), "seeded history writes no events");
      assertEquals(0L, count(pool, "SELECT count(*) FROM articles a WHERE favorites_count <>"
          + " (SELECT count(*) FROM favorites f WHERE f.article_id = a.id)"), "favorites_count agrees with the favorites");
      assertTrue(count(pool, "SELECT last_value FROM surge_comment_seq") >= 1500, "comment sequence moved past the seeded ones");
    }
    assertEquals(3 * 200 + 1000 + 1200 + 4000 + 1500, rows);
  }

  @Test
  void aNodeServesTheSeededData(Vertx vertx) {
    TestNode.Started node = TestNode.start(vertx, Map.of("db.shards", String.join(",", A), "events.relay", "false",
        "cache.enabled", "false"));
    try {
      Client client = new Client(vertx, node.port());
      int follower = plan.followFollower[0];
      String token = login(client, follower);

      int top = plan.articleByRank[0];
      JsonObject article = ok(client.get("/api/articles/" + plan.slug(top), token)).getJsonObject("article");
      assertEquals(plan.favoritesCount[top], article.getInteger("favoritesCount"));
      assertEquals(Words.title(7, top), article.getString("title"));
      assertEquals(DatasetPlan.username(plan.articleAuthor[top]), article.getJsonObject("author").getString("username"));

      String tag = plan.tagNames.get(0);
      assertEquals(plan.tagUses[0], ok(client.get("/api/articles?tag=" + tag, token)).getInteger("articlesCount"));

      assertEquals(feedSize(follower), ok(client.get("/api/articles/feed", token)).getInteger("articlesCount"));
      String followee = DatasetPlan.username(plan.followFollowee[0]);
      assertTrue(ok(client.get("/api/profiles/" + followee, token)).getJsonObject("profile").getBoolean("following"));

      // The app's own writes land beside the seeded rows without colliding.
      JsonObject comment = ok(client.post("/api/articles/" + plan.slug(top) + "/comments", token,
          new JsonObject().put("comment", new JsonObject().put("body", "after the seed")))).getJsonObject("comment");
      assertTrue(comment.getLong("id") > maxSeededCommentId(), "new comment ids come after the seeded ones");
      ok(client.post("/api/articles", token, new JsonObject().put("article", new JsonObject().put("title", "Fresh")
          .put("description", "d").put("body", "b"))));
    } finally {
      node.stop();
    }
  }

  @Test
  void aRerunReusesTheDatasetAndAnotherOneNeedsReset() {
    assertFalse(first.reused());
    assertTrue(run(A).reused());
    List<String> other = new ArrayList<>(args(A, "a"));
    other.add("--seed=8");
    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> Dataset.run(other, System.getenv(), line -> {}));
    assertTrue(refused.getMessage().contains("--reset"), refused.getMessage());
  }

  @Test
  void resetEmptiesOnlyDatabasesTheGeneratorSeeded() {
    List<String> args = new ArrayList<>(List.of("--users=20", "--articles=50", "--seed=3", "--name=guard", "--db.shards=" + C,
        "--db.shardMapFile=", "--db.replicas=", "--out=" + out.resolve("c"), "--passwords.memoryKib=1024", "--passwords.iterations=1"));
    assertFalse(Dataset.run(args, System.getenv(), line -> {}).reused());
    // Without its marker table the database looks like one with someone else's data (a dev database).
    pools.get(C).query("DROP TABLE " + DatasetWriter.MARKER).execute().await();
    args.add("--reset");
    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> Dataset.run(args, System.getenv(), line -> {}));
    assertTrue(refused.getMessage().contains("did not write"), refused.getMessage());
    assertEquals(20L, count(pools.get(C), "SELECT count(*) FROM users"), "nothing was emptied");
  }

  private static Dataset.Report run(List<String> databases) {
    // The environment as for every node of the suite: SURGE_DB_HOST/PORT name the stack's primary.
    return Dataset.run(args(databases, databases == A ? "a" : "b"), System.getenv(), line -> System.out.println("seed: " + line));
  }

  private static List<String> args(List<String> databases, String dir) {
    List<String> args = new ArrayList<>(SIZE);
    args.addAll(List.of("--db.shards=" + String.join(",", databases), "--db.shardMapFile=", "--db.replicas=",
        "--out=" + out.resolve(dir)));
    return args;
  }

  private String login(Client client, int user) {
    JsonObject body = new JsonObject().put("user", new JsonObject().put("email", DatasetPlan.email(user))
        .put("password", "bench-password"));
    return ok(client.post("/api/users/login", null, body)).getJsonObject("user").getString("token");
  }

  /** Articles whose author the user follows, from the plan. */
  private static int feedSize(int user) {
    Set<Integer> followees = new HashSet<>();
    for (int f = 0; f < plan.followFollower.length; f++) if (plan.followFollower[f] == user) followees.add(plan.followFollowee[f]);
    int n = 0;
    for (int author : plan.articleAuthor) if (followees.contains(author)) n++;
    return n;
  }

  private static long maxSeededCommentId() {
    long max = 0;
    for (long id : plan.commentId) max = Math.max(max, id);
    return max;
  }

  private static JsonObject ok(HttpResponse<Buffer> response) {
    assertTrue(response.statusCode() / 100 == 2, response.statusCode() + " " + response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  /** Over the seeded rows only: the node test adds a comment and an article, dated now. */
  private static String digest(Pool pool, String table) {
    String time = table.equals("usernames") || table.equals("emails") ? "reserved_at" : "created_at";
    Row row = pool.query("SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY " + ORDER.get(table) + "), ''))"
        + " FROM " + table + " t WHERE " + time + " < " + SEEDED_BEFORE).execute().await().iterator().next();
    return row.getLong(0) + " " + row.getString(1);
  }

  /** Asserts the condition for every row; returns how many rows there were. */
  private static long check(Pool pool, String sql, java.util.function.Predicate<Row> placed) {
    long n = 0;
    for (Row row : pool.query(sql).execute().await()) {
      assertTrue(placed.test(row), sql + ": misplaced row " + row.deepToString());
      n++;
    }
    return n;
  }

  private static long count(Pool pool, String sql) {
    return pool.query(sql).execute().await().iterator().next().getLong(0);
  }

  private static void createMissingDatabases(Vertx vertx) {
    Pool admin = pool(vertx, "postgres");
    try {
      for (String database : concat(concat(A, B), List.of(C))) {
        if (admin.preparedQuery("SELECT 1 FROM pg_database WHERE datname = $1").execute(Tuple.of(database)).await().size() == 0) {
          admin.query("CREATE DATABASE " + database).execute().await();
        }
      }
    } finally {
      admin.close().await();
    }
  }

  private static Pool pool(Vertx vertx, String database) {
    return PgBuilder.pool().connectingTo(new PgConnectOptions().setHost(DB_HOST).setPort(DB_PORT).setDatabase(database)
        .setUser("surge").setPassword("surge")).using(vertx).build();
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
