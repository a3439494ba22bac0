package surge.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Client;
import surge.support.TestNode;

/**
 * Design §3, checked in the databases themselves: with four physical shards, every row a write
 * makes lands on the physical database its key says, and on no other. The expected database is
 * re-derived here from the id bits and the even split ({@code l * P / 8192}), not asked of the
 * server's router: users and the follows they make on the user's shard, articles with their
 * comments and favorites on the author's shard, directory rows on the shard of their key's hash.
 */
@ExtendWith(VertxExtension.class)
class PlacementIT {
  static final int P = PropDbs.FOUR.size();
  static TestNode.Started node;
  static Client client;
  static List<Pool> dbs;

  @BeforeAll
  static void start(Vertx vertx) {
    node = TestNode.start(vertx, PropDbs.nodeConfig(PropDbs.FOUR));
    client = new Client(vertx, node.port());
    dbs = PropDbs.pools(vertx, PropDbs.FOUR);
  }

  @AfterAll
  static void stop() {
    PropDbs.close(dbs);
    if (node != null) node.stop();
  }

  /** A registered user and where the test expects their rows. */
  record User(String username, String email, String token, long id) {}

  static int physicalOfLogical(int logical) {
    return PropDbs.evenSplit(logical, P);
  }

  static int physicalOfId(long id) {
    return physicalOfLogical((int) ((id >>> 10) & 8191)); // timestamp | 13 bits of logical shard | 10 bits of sequence
  }

  static int physicalOfKey(String key) {
    return physicalOfLogical(Ids.shardForKey(key));
  }

  /**
   * Registers a user whose (mixed-case) email hashes to physical shard {@code emailOn} and whose
   * username hashes to {@code nameOn}.
   */
  static User register(int emailOn, int nameOn) {
    String base = Client.unique("pl");
    for (int i = 0; ; i++) {
      String username = base + "n" + i;
      if (physicalOfKey(username) != nameOn) continue;
      for (int j = 0; ; j++) {
        String email = "Pl_" + base + "e" + j + "@Example.COM";
        if (physicalOfKey(email.toLowerCase(Locale.ROOT)) != emailOn) continue;
        JsonObject body = new JsonObject().put("user", new JsonObject()
            .put("username", username).put("email", email).put("password", "password-" + username));
        HttpResponse<Buffer> r = client.post("/api/users", null, body);
        assertEquals(201, r.statusCode(), r.bodyAsString());
        String token = r.bodyAsJsonObject().getJsonObject("user").getString("token");
        return new User(username, email, token, subjectOf(token));
      }
    }
  }

  /** The user id a token names (its JWT subject). */
  static long subjectOf(String token) {
    String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
    return Long.parseLong(new JsonObject(payload).getString("sub"));
  }

  /** The article id a slug carries: its base-36 suffix. */
  static long articleIdOf(String slug) {
    return Long.parseLong(slug.substring(slug.lastIndexOf('-') + 1), 36);
  }

  /**
   * Runs the query on every physical database; asserts that exactly one row answers, on database
   * {@code expected}, and returns it.
   */
  static Row onlyOn(int expected, String what, String sql, Object... params) {
    Row found = null;
    List<String> where = new ArrayList<>();
    for (int p = 0; p < P; p++) {
      List<Row> rows = PropDbs.rows(dbs.get(p), sql, params);
      if (!rows.isEmpty()) where.add(PropDbs.FOUR.get(p) + " (" + rows.size() + " rows)");
      if (p == expected && rows.size() == 1) found = rows.get(0);
    }
    assertEquals(List.of(PropDbs.FOUR.get(expected) + " (1 rows)"), where, what + " should be exactly on " + PropDbs.FOUR.get(expected));
    return found;
  }

  static void nowhere(String what, String sql, Object... params) {
    for (int p = 0; p < P; p++) {
      assertEquals(List.of(), PropDbs.rows(dbs.get(p), sql, params), what + " should be gone, found on " + PropDbs.FOUR.get(p));
    }
  }

  static void checkUser(User u) {
    checkUser(u, u.email());
  }

  /** {@code registeredWith}: the email at registration, whose hash chose the user's shard for good. */
  static void checkUser(User u, String registeredWith) {
    String email = u.email().toLowerCase(Locale.ROOT);
    assertEquals(Ids.shardForKey(registeredWith.toLowerCase(Locale.ROOT)), (int) ((u.id() >>> 10) & 8191),
        u.username() + ": the id carries the logical shard of the registration email's hash");
    Row user = onlyOn(physicalOfId(u.id()), "user row of " + u.username(), "SELECT id, email FROM users WHERE username = $1", u.username());
    assertEquals(u.id(), user.getLong("id"));
    assertEquals(u.email(), user.getString("email"), "the user row keeps the email as given");
    Row name = onlyOn(physicalOfKey(u.username()), "usernames row of " + u.username(),
        "SELECT user_id FROM usernames WHERE username = $1", u.username());
    assertEquals(u.id(), name.getLong("user_id"));
    Row mail = onlyOn(physicalOfKey(email), "emails row of " + email, "SELECT user_id FROM emails WHERE email = $1", email);
    assertEquals(u.id(), mail.getLong("user_id"));
    nowhere("an emails row not lower-cased", "SELECT 1 FROM emails WHERE email = $1", u.email());
  }

  @Test
  void theNodeRunsOnTheFourDatabasesReadingFromPrimariesOnly() {
    assertEquals("", node.config().db().replicas(), "db.replicas accepts an empty override");
    List<String> databases = new ArrayList<>();
    for (ShardMap.Physical p : node.node().services().shards().map().physical()) {
      databases.add(p.database());
      assertEquals(List.of(), p.replicas(), p.name());
    }
    assertEquals(PropDbs.FOUR, databases);
  }

  @Test
  void usersAndTheirDirectoryRowsLandOnTheShardsTheirKeysSay() {
    for (int p = 0; p < P; p++) {
      User u = register(p, (p + 1) % P); // username and email rows on different databases
      assertEquals(p, physicalOfId(u.id()));
      checkUser(u);
    }
    User together = register(2, 2);
    checkUser(together);
  }

  @Test
  void articlesCommentsFavoritesAndFollowsLandWithTheirOwners() {
    List<User> users = new ArrayList<>();
    for (int p = 0; p < P; p++) users.add(register(p, (p + 2) % P));
    List<long[]> articles = new ArrayList<>(); // {articleId, authorIndex}
    List<String> slugs = new ArrayList<>();
    for (int i = 0; i < users.size(); i++) {
      for (int k = 0; k < 2; k++) {
        String slug = client.article(users.get(i).token(), Client.unique("Placed " + k), "placement").getString("slug");
        long id = articleIdOf(slug);
        articles.add(new long[] {id, i});
        slugs.add(slug);
        assertEquals(Ids.shardOf(users.get(i).id()), (int) ((id >>> 10) & 8191), "an article carries its author's logical shard");
      }
    }
    List<long[]> comments = new ArrayList<>(); // {commentId, articleId, authorId}
    List<long[]> favorites = new ArrayList<>(); // {articleId, userId}
    for (int a = 0; a < articles.size(); a++) {
      long[] article = articles.get(a);
      String slug = slugs.get(a);
      for (int j = 0; j < users.size(); j++) {
        if (j == article[1]) continue;
        User reader = users.get(j);
        HttpResponse<Buffer> r = client.post("/api/articles/" + slug + "/comments", reader.token(),
            new JsonObject().put("comment", new JsonObject().put("body", "from " + reader.username())));
        assertEquals(201, r.statusCode(), r.bodyAsString());
        comments.add(new long[] {r.bodyAsJsonObject().getJsonObject("comment").getLong("id"), article[0], reader.id()});
        if ((j + article[0]) % 2 == 0) {
          HttpResponse<Buffer> f = client.post("/api/articles/" + slug + "/favorite", reader.token(), null);
          assertEquals(200, f.statusCode(), f.bodyAsString());
          favorites.add(new long[] {article[0], reader.id()});
        }
      }
    }
    List<long[]> follows = new ArrayList<>(); // {followerId, followeeId}
    for (int i = 0; i < users.size(); i++) {
      for (int j = 0; j < users.size(); j++) {
        if (i == j) continue;
        HttpResponse<Buffer> r = client.post("/api/profiles/" + users.get(j).username() + "/follow", users.get(i).token(), null);
        assertEquals(200, r.statusCode(), r.bodyAsString());
        follows.add(new long[] {users.get(i).id(), users.get(j).id()});
      }
    }

    for (long[] article : articles) {
      User author = users.get((int) article[1]);
      Row row = onlyOn(physicalOfId(author.id()), "article " + article[0], "SELECT author_id, favorites_count FROM articles WHERE id = $1", article[0]);
      assertEquals(author.id(), row.getLong("author_id"));
      long favoriteRows = favorites.stream().filter(f -> f[0] == article[0]).count();
      assertEquals(favoriteRows, (long) row.getInteger("favorites_count"), "favorites_count of article " + article[0]);
    }
    for (long[] c : comments) {
      assertEquals(Ids.shardOf(c[1]), (int) (c[0] & 8191), "a comment id carries its article's logical shard");
      assertTrue(c[0] > 0 && c[0] < (1L << 53), "comment ids stay JSON-safe: " + c[0]);
      Row row = onlyOn(physicalOfId(c[1]), "comment " + c[0], "SELECT article_id, author_id FROM comments WHERE id = $1", c[0]);
      assertEquals(c[1], row.getLong("article_id"));
      assertEquals(c[2], row.getLong("author_id"));
    }
    int crossing = 0;
    for (long[] f : favorites) {
      onlyOn(physicalOfId(f[0]), "favorite " + f[1] + " -> " + f[0], "SELECT 1 FROM favorites WHERE article_id = $1 AND user_id = $2", f[0], f[1]);
      if (physicalOfId(f[0]) != physicalOfId(f[1])) crossing++;
    }
    assertTrue(crossing > 0, "some favorites cross physical shards");
    for (long[] f : follows) {
      onlyOn(physicalOfId(f[0]), "follow " + f[0] + " -> " + f[1], "SELECT 1 FROM follows WHERE follower_id = $1 AND followee_id = $2", f[0], f[1]);
      assertNotEquals(physicalOfId(f[0]), physicalOfId(f[1]), "these users live on four different databases");
    }
  }

  /**
   * Not placement but its consequence: articles on different databases with one creation time are
   * ordered by id, newest id first, in every page, as one database would order them.
   */
  @Test
  void equalTimestampsOnDifferentShardsAreOrderedByIdOnEveryPage() {
    String tag = Client.unique("tie");
    List<Long> ids = new ArrayList<>();
    for (int p = 0; p < P; p++) {
      User u = register(p, p);
      for (int k = 0; k < 3; k++) ids.add(articleIdOf(client.article(u.token(), Client.unique("Tied " + k), tag).getString("slug")));
    }
    for (Pool db : dbs) {
      PropDbs.rows(db, "UPDATE articles SET created_at = '2025-06-01T00:00:00.000Z' WHERE tags @> ARRAY[$1::text]", tag);
    }
    List<Long> expected = new ArrayList<>(ids);
    expected.sort(java.util.Comparator.reverseOrder());
    assertEquals(expected, idsOf("?tag=" + tag + "&limit=100"));
    for (int limit = 1; limit <= 5; limit++) {
      List<Long> paged = new ArrayList<>();
      for (int offset = 0; offset < ids.size(); offset += limit) paged.addAll(idsOf("?tag=" + tag + "&limit=" + limit + "&offset=" + offset));
      assertEquals(expected, paged, "pages of " + limit);
    }
  }

  static List<Long> idsOf(String query) {
    HttpResponse<Buffer> r = client.get("/api/articles" + query);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    List<Long> out = new ArrayList<>();
    for (Object o : r.bodyAsJsonObject().getJsonArray("articles")) out.add(articleIdOf(((JsonObject) o).getString("slug")));
    return out;
  }

  @Test
  void aRenameAndAnEmailChangeMoveTheDirectoryRowsToTheNewKeysShards() {
    User u = register(1, 3);
    checkUser(u);
    String newName = null;
    for (int i = 0; newName == null; i++) if (physicalOfKey(u.username() + "x" + i) == 0) newName = u.username() + "x" + i;
    String newEmail = null;
    for (int i = 0; newEmail == null; i++) {
      String candidate = "New" + i + "_" + u.email();
      if (physicalOfKey(candidate.toLowerCase(Locale.ROOT)) == 2) newEmail = candidate;
    }
    HttpResponse<Buffer> r = client.put("/api/user", u.token(),
        new JsonObject().put("user", new JsonObject().put("username", newName).put("email", newEmail)));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    nowhere("the old usernames row", "SELECT 1 FROM usernames WHERE username = $1", u.username());
    nowhere("the old emails row", "SELECT 1 FROM emails WHERE email = $1", u.email().toLowerCase(Locale.ROOT));
    User renamed = new User(newName, newEmail, u.token(), u.id());
    checkUser(renamed, u.email()); // the user row stays home (its id says where), the directory rows moved
    nowhere("a user row by the old name", "SELECT 1 FROM users WHERE username = $1", u.username());
  }
}
