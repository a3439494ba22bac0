package surge.shardmove;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.SurgeConfig;
import surge.config.ConfigException;
import surge.db.DbConfig;
import surge.db.Ids;
import surge.db.ShardMap;
import surge.db.Shards;
import surge.support.Client;
import surge.support.Eventually;
import surge.support.TestNode;

/**
 * bin/shard-move against a running two-shard node on surge_move_a / surge_move_b (created if
 * missing, wiped at start): the node follows the map file without a restart, a frozen shard refuses
 * writes and keeps serving reads, and a moved shard answers every read exactly as before, from the
 * target only.
 */
@ExtendWith(VertxExtension.class)
class ShardMoveIT {
  private static final List<String> DATABASES = List.of("surge_move_a", "surge_move_b");
  private static final long RELOAD_MS = 100;
  private static final long GRACE_MS = 200;
  private static final String EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e";
  static TestNode.Started node;
  static Client client;
  static Path mapFile;
  static final List<Pool> pools = new ArrayList<>();

  @BeforeAll
  static void start(Vertx vertx) throws IOException {
    createMissingDatabases(vertx);
    for (String database : DATABASES) {
      Pool pool = pool(vertx, database);
      // A fresh schema each run: the move test counts every row of its logical shards.
      pool.query("DROP SCHEMA public CASCADE; CREATE SCHEMA public").execute().await();
      pools.add(pool);
    }
    mapFile = Files.createTempDirectory("surge-shard-map").resolve("shard-map.json");
    // With the stack's replica: reads right after the switch must find the copy there too.
    // No outbox relay: the test counts the pending events a move carries, which a relay would publish and delete
    // (moves with relays running compare every table but the outbox, see ShardRows.stable).
    node = TestNode.startWithReplicas(vertx, Map.of("db.shards", String.join(",", DATABASES),
        "db.shardMapFile", mapFile.toString(), "db.shardMapReloadMs", Long.toString(RELOAD_MS), "events.relay", "false"));
    client = new Client(vertx, node.port());
  }

  /** The role may create databases (bin/stack), so the test needs no entry in the stack's list. */
  private static void createMissingDatabases(Vertx vertx) {
    Pool admin = pool(vertx, "postgres");
    try {
      for (String database : DATABASES) {
        if (admin.preparedQuery("SELECT 1 FROM pg_database WHERE datname = $1").execute(Tuple.of(database)).await().size() == 0) {
          admin.query("CREATE DATABASE " + database).execute().await();
        }
      }
    } finally {
      admin.close().await();
    }
  }

  @AfterAll
  static void stop() {
    node.stop();
    pools.forEach(pool -> pool.close().await());
  }

  @Test
  void aMovedShardAnswersEveryReadAsBeforeFromTheTargetOnly(Vertx vertx) {
    String email = Client.unique("mover") + "@example.com";
    int logical = Ids.shardForKey(email);
    JsonObject a = register(usernameOn(logical), email);
    JsonObject b = client.register("mvb");
    String ta = a.getString("token");
    String tb = b.getString("token");
    String a1 = client.article(ta, "Moving day", "shards", "ops").getString("slug");
    String a2 = client.article(ta, "Second article").getString("slug");
    String b1 = client.article(tb, "Stays put", "ops").getString("slug");
    List<Long> before = new ArrayList<>();
    before.add(comment(a1, ta, "own comment"));
    before.add(comment(a1, tb, "visitor comment"));
    before.add(comment(a2, tb, "another"));
    comment(b1, ta, "on the other side");
    ok(client.post("/api/articles/" + a1 + "/favorite", tb, null));
    ok(client.post("/api/articles/" + a2 + "/favorite", ta, null));
    ok(client.post("/api/articles/" + b1 + "/favorite", ta, null));
    ok(client.post("/api/profiles/" + b.getString("username") + "/follow", ta, null));
    ok(client.post("/api/profiles/" + a.getString("username") + "/follow", tb, null));

    Map<String, String> reads = reads(a, b, a1, a2);
    ShardMap map = node.node().services().shards().map();
    int source = map.physicalOf(logical);
    int target = 1 - source;
    Map<String, String> digests = inTransaction(pools.get(source), conn -> ShardRows.digests(conn, logical));
    assertTrue(digests.get("users").startsWith("1 ") && digests.get("usernames").startsWith("1 ")
        && digests.get("emails").startsWith("1 ") && digests.get("comments").startsWith("3 "), digests.toString());
    // pending events of the shard's aggregates: A registered, 2 articles, 3 comments, 2 favorites, 1 follow
    assertTrue(digests.get("outbox").startsWith("9 "), digests.toString());
    leaveGhostUser(pools.get(target), logical);

    ShardMove.Report report = ShardMove.move(vertx, node.config().db(), logical, map.names().get(target), GRACE_MS,
        duringTheMove(ta, tb, a1, reads));

    assertEquals(reads, reads(a, b, a1, a2), "every read answers as before the move");
    assertEquals(digests, inTransaction(pools.get(target), conn -> ShardRows.digests(conn, logical)),
        "the target holds exactly the source's rows (the ghost of an earlier run is gone)");
    inTransaction(pools.get(source), conn -> ShardRows.digests(conn, logical))
        .forEach((table, digest) -> assertEquals("0 " + EMPTY_MD5, digest, table + " rows left on the source"));
    assertEquals(3L, report.rows().get("comments"));
    assertEquals(9L, report.rows().get("outbox"), "pending events move with their aggregates, in order (digest above)");
    assertTrue(report.millis().get("total") >= 2 * (2 * RELOAD_MS + GRACE_MS), report.millis().toString());
    writesLandOnTheTarget(ta, a1, logical, source, target, before);
  }

  @Test
  void aFrozenShardRefusesWritesWithRetryAfterAndKeepsServingReads() {
    JsonObject user = client.register("frozen");
    String token = user.getString("token");
    int logical = Ids.shardForKey(user.getString("email"));
    JsonObject bio = new JsonObject().put("user", new JsonObject().put("bio", "written while frozen?"));
    ShardMap map = Shards.loadMap(node.config().db());
    writeMap(map.withFrozen(logical, true));
    HttpResponse<Buffer> refused = awaitStatus(503, () -> client.put("/api/user", token, bio));
    assertNotNull(refused.getHeader("Retry-After"), "a frozen shard tells clients when to retry");
    assertEquals(200, client.get("/api/user", token).statusCode(), "reads continue while frozen");
    writeMap(map.withFrozen(logical, false));
    awaitStatus(200, () -> client.put("/api/user", token, bio));
  }

  @Test
  void aCopyThatMissesALateWriteIsAbortedAndUndone(Vertx vertx) {
    JsonObject user = client.register("late");
    int logical = Ids.shardForKey(user.getString("email"));
    int source = node.node().services().shards().map().physicalOf(logical);
    ShardMove.Progress lateWrite = new ShardMove.Progress() {
      @Override
      public void line(String text) {}

      @Override
      public void reached(ShardMove.Step step) {
        if (step == ShardMove.Step.COPIED) leaveGhostUser(pools.get(source), logical); // a write the freeze did not stop
      }
    };
    ShardMove.MoveFailed failed = assertThrows(ShardMove.MoveFailed.class, () ->
        ShardMove.move(vertx, node.config().db(), logical, "p" + (1 - source), GRACE_MS, lateWrite));
    assertTrue(failed.getMessage().contains("aborted"), failed.getMessage());
    ShardMap after = Shards.loadMap(node.config().db());
    assertEquals(source, after.physicalOf(logical));
    inTransaction(pools.get(1 - source), conn -> ShardRows.digests(conn, logical))
        .forEach((table, digest) -> assertEquals("0 " + EMPTY_MD5, digest, table + " rows left on the target"));
    JsonObject bio = new JsonObject().put("user", new JsonObject().put("bio", "after the abort"));
    awaitStatus(200, () -> client.put("/api/user", user.getString("token"), bio));
  }

  @Test
  void aRunAfterASwitchRemovesLeftoversAndBadArgumentsAreRefused(Vertx vertx) {
    DbConfig db = node.config().db();
    int logical = 4095; // on p0 unless an earlier test moved it, which none does
    leaveGhostUser(pools.get(1), logical);
    ShardMove.Report report = ShardMove.move(vertx, db, logical, "p0", 0, line -> {});
    assertEquals(Map.of("p1", 1L), report.rows(), "the stopped run's leftover on p1 is removed");
    assertThrows(IllegalArgumentException.class, () -> ShardMove.move(vertx, db, Ids.LOGICAL_SHARDS, "p1", 0, line -> {}));
    assertThrows(ConfigException.class, () -> ShardMove.move(vertx, db, 1, "p7", 0, line -> {}));
  }

  /** At FROZEN: writes to the shard answer 503 with Retry-After, reads come from the source. */
  private static ShardMove.Progress duringTheMove(String ta, String tb, String slug, Map<String, String> reads) {
    return new ShardMove.Progress() {
      @Override
      public void line(String text) {
        System.out.println("shard-move: " + text);
      }

      @Override
      public void reached(ShardMove.Step step) {
        if (step != ShardMove.Step.FROZEN) return;
        HttpResponse<Buffer> article = client.post("/api/articles", ta, new JsonObject().put("article",
            new JsonObject().put("title", "Frozen").put("description", "d").put("body", "b")));
        assertEquals(503, article.statusCode(), article.bodyAsString());
        assertNotNull(article.getHeader("Retry-After"));
        HttpResponse<Buffer> comment = client.post("/api/articles/" + slug + "/comments", tb,
            new JsonObject().put("comment", new JsonObject().put("body", "frozen")));
        assertEquals(503, comment.statusCode(), comment.bodyAsString());
        assertEquals(reads.get("article"), client.get("/api/articles/" + slug, tb).bodyAsString());
      }
    };
  }

  private static void writesLandOnTheTarget(String ta, String slug, int logical, int source, int target, List<Long> before) {
    long id = comment(slug, ta, "after the move");
    assertEquals(logical, Ids.shardOfComment(id));
    for (long old : before) assertTrue(id > old, "the comment sequence was carried forward: " + id + " vs " + old);
    assertEquals(1, count(pools.get(target), "SELECT count(*) FROM comments WHERE id = $1", id));
    assertEquals(0, count(pools.get(source), "SELECT count(*) FROM comments WHERE id = $1", id));
    String slug3 = client.article(ta, "Written after the move").getString("slug");
    assertEquals(1, count(pools.get(target), "SELECT count(*) FROM articles WHERE title = $1", "Written after the move"));
    assertEquals(200, client.get("/api/articles/" + slug3).statusCode());
  }

  /** The JSON of every read that touches the shard's rows, keyed by a name. */
  private static Map<String, String> reads(JsonObject a, JsonObject b, String a1, String a2) {
    String ta = a.getString("token");
    String tb = b.getString("token");
    Map<String, String> out = new LinkedHashMap<>();
    out.put("article", body(client.get("/api/articles/" + a1, tb)));
    out.put("articleAnonymous", body(client.get("/api/articles/" + a1)));
    out.put("comments", body(client.get("/api/articles/" + a1 + "/comments", tb)));
    out.put("comments2", body(client.get("/api/articles/" + a2 + "/comments")));
    out.put("profile", body(client.get("/api/profiles/" + a.getString("username"), tb)));
    out.put("otherProfile", body(client.get("/api/profiles/" + b.getString("username"), ta)));
    out.put("byAuthor", body(client.get("/api/articles?author=" + a.getString("username"))));
    out.put("favoritedByA", body(client.get("/api/articles?favorited=" + a.getString("username"), tb)));
    out.put("favoritedByB", body(client.get("/api/articles?favorited=" + b.getString("username"), ta)));
    out.put("feedA", body(client.get("/api/articles/feed", ta)));
    out.put("feedB", body(client.get("/api/articles/feed", tb)));
    out.put("all", body(client.get("/api/articles?limit=50", ta)));
    out.put("user", body(client.get("/api/user", ta)));
    out.put("tags", body(client.get("/api/tags")));
    JsonObject login = new JsonObject().put("user", new JsonObject().put("email", a.getString("email"))
        .put("password", a.getString("password")));
    out.put("login", new JsonObject(body(client.post("/api/users/login", null, login))).getJsonObject("user")
        .put("token", "(fresh)").encode());
    return out;
  }

  /** A username whose directory row lands on {@code logical} too (about 8192 tries). */
  private static String usernameOn(int logical) {
    String base = Client.unique("mv");
    for (int i = 0; ; i++) if (Ids.shardForKey(base + i) == logical) return base + i;
  }

  private static JsonObject register(String username, String email) {
    JsonObject user = new JsonObject().put("username", username).put("email", email).put("password", "password-" + username);
    HttpResponse<Buffer> r = client.post("/api/users", null, new JsonObject().put("user", user));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getJsonObject("user").put("password", user.getString("password"));
  }

  /** A user row of {@code logical} on a database that does not hold it, as a run stopped part-way leaves. */
  private static void leaveGhostUser(Pool pool, int logical) {
    long id = Ids.compose(System.currentTimeMillis(), logical, 1023);
    pool.preparedQuery("INSERT INTO users (id, username, email, password_hash, created_at, updated_at)"
        + " VALUES ($1, 'ghost', 'ghost@example.com', 'x', now(), now())").execute(Tuple.of(id)).await();
  }

  private static long comment(String slug, String token, String text) {
    HttpResponse<Buffer> r = client.post("/api/articles/" + slug + "/comments", token,
        new JsonObject().put("comment", new JsonObject().put("body", text)));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getJsonObject("comment").getLong("id");
  }

  private static void ok(HttpResponse<Buffer> r) {
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }

  private static String body(HttpResponse<Buffer> r) {
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsString();
  }

  private static long count(Pool pool, String sql, Object param) {
    return pool.preparedQuery(sql).execute(Tuple.of(param)).await().iterator().next().getLong(0);
  }

  /** Polls until the node has reloaded the map (a few reload intervals at most). */
  private static HttpResponse<Buffer> awaitStatus(int status, java.util.function.Supplier<HttpResponse<Buffer>> request) {
    return Eventually.value("HTTP " + status + " once the node reloaded the map", Duration.ofMillis(50 * RELOAD_MS),
        Duration.ofMillis(RELOAD_MS / 2), request, r -> r.statusCode() == status);
  }

  private static void writeMap(ShardMap map) {
    try {
      Path tmp = Files.writeString(mapFile.resolveSibling("test.tmp"), map.toFile().encode());
      Files.move(tmp, mapFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static <T> T inTransaction(Pool pool, Function<SqlConnection, T> work) {
    SqlConnection conn = pool.getConnection().await();
    try {
      Transaction tx = conn.begin().await();
      T result = work.apply(conn);
      tx.commit().await();
      return result;
    } finally {
      conn.close().await();
    }
  }

  private static Pool pool(Vertx vertx, String database) {
    SurgeConfig config = TestNode.config(0, Map.of());
    PgConnectOptions connect = new PgConnectOptions().setHost(config.db().host()).setPort(config.db().port())
        .setDatabase(database).setUser(config.db().user()).setPassword(config.db().password())
        .addProperty("TimeZone", "UTC"); // as the tool's, so digests compare
    return PgBuilder.pool().connectingTo(connect).using(vertx).build();
  }

}
