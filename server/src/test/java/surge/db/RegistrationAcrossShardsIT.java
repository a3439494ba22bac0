package surge.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
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
import surge.support.ErrorShape;
import surge.support.TestNode;

/**
 * Username and email uniqueness across physical shards (design §3): the two directory rows of one
 * registration live on different databases here, so no single transaction guards them. Races must
 * still have one winner; a half-finished registration must not block a name for good, nor let a
 * name be taken while it may still be in flight; renames free the old name; and a directory row
 * never makes a user visible under a name they do not bear.
 */
@ExtendWith(VertxExtension.class)
class RegistrationAcrossShardsIT {
  static final int P = PropDbs.FOUR.size();
  static final int RACERS = 8;
  static TestNode.Started node;
  static Client client;
  static WebClient web;
  static List<Pool> dbs;

  @BeforeAll
  static void start(Vertx vertx) {
    node = TestNode.start(vertx, PropDbs.nodeConfig(PropDbs.FOUR));
    client = new Client(vertx, node.port());
    web = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(node.port()));
    dbs = PropDbs.pools(vertx, PropDbs.FOUR);
  }

  @AfterAll
  static void stop() {
    PropDbs.close(dbs);
    if (web != null) web.close();
    if (node != null) node.stop();
  }

  static int physicalOfKey(String key) {
    return PropDbs.evenSplit(Ids.shardForKey(key), P);
  }

  static Pool dbOfKey(String key) {
    return dbs.get(physicalOfKey(key));
  }

  /** A fresh username on a physical shard other than {@code not}'s (-1: any). */
  static String usernameAwayFrom(int not) {
    String base = Client.unique("rx");
    for (int i = 0; ; i++) if (physicalOfKey(base + i) != not) return base + i;
  }

  /** A fresh email on a physical shard other than {@code not}'s. */
  static String emailAwayFrom(int not) {
    String base = Client.unique("rx");
    for (int i = 0; ; i++) {
      String email = base + i + "@example.com";
      if (physicalOfKey(email) != not) return email;
    }
  }

  /** A fresh (username, email) pair whose directory rows live on different physical shards. */
  static String[] crossShardPair() {
    String username = usernameAwayFrom(-1);
    return new String[] {username, emailAwayFrom(physicalOfKey(username))};
  }

  static JsonObject userBody(String username, String email) {
    return new JsonObject().put("user", new JsonObject()
        .put("username", username).put("email", email).put("password", "password-" + username));
  }

  static HttpResponse<Buffer> register(String username, String email) {
    return client.post("/api/users", null, userBody(username, email));
  }

  /** Sends all registrations at once; their statuses in the order given. */
  static List<Integer> race(List<String[]> pairs) {
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    for (String[] p : pairs) sent.add(web.post("/api/users").sendJsonObject(userBody(p[0], p[1])));
    Future.join(sent).await();
    List<Integer> statuses = new ArrayList<>();
    for (Future<HttpResponse<Buffer>> f : sent) statuses.add(f.result().statusCode());
    return statuses;
  }

  static void assertOneWinner(List<Integer> statuses, String what) {
    assertEquals(1, statuses.stream().filter(s -> s == 201).count(), what + ": exactly one 201 in " + statuses);
    assertEquals(RACERS - 1, statuses.stream().filter(s -> s == 409).count(), what + ": the rest 409 in " + statuses);
  }

  static long subjectOf(String token) {
    String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
    return Long.parseLong(new JsonObject(payload).getString("sub"));
  }

  static Long directoryHolder(String table, String column, String key) {
    List<Row> rows = PropDbs.rows(dbOfKey(key), "SELECT user_id FROM " + table + " WHERE " + column + " = $1", key);
    return rows.isEmpty() ? null : rows.get(0).getLong(0);
  }

  static int usersNamed(String username) {
    int n = 0;
    for (Pool db : dbs) n += PropDbs.rows(db, "SELECT 1 FROM users WHERE username = $1", username).size();
    return n;
  }

  static long login(String email, String username) {
    HttpResponse<Buffer> r = client.post("/api/users/login", null, new JsonObject().put("user",
        new JsonObject().put("email", email).put("password", "password-" + username)));
    assertEquals(200, r.statusCode(), "login as " + email + ": " + r.bodyAsString());
    return subjectOf(r.bodyAsJsonObject().getJsonObject("user").getString("token"));
  }

  /** A user id that exists nowhere: what a registration cut short after its directory claims leaves. */
  static long ghostId(String email) {
    return Ids.compose(System.currentTimeMillis() - 120_000, Ids.shardForKey(email), 1023);
  }

  static void insertOrphan(String table, String column, String key, long userId, boolean stale) {
    PropDbs.rows(dbOfKey(key), "INSERT INTO " + table + " (" + column + ", user_id, reserved_at) VALUES ($1, $2, "
        + (stale ? "now() - interval '1 minute'" : "now()") + ")", key, userId);
  }

  static void assertTaken(HttpResponse<Buffer> r, String field) {
    ErrorShape.assertOnlyError(r, 409, field);
  }

  // ---------------------------------------------------------------- races

  @Test
  void identicalConcurrentRegistrationsHaveExactlyOneWinner() {
    String[] pair = crossShardPair();
    List<String[]> same = new ArrayList<>();
    for (int i = 0; i < RACERS; i++) same.add(pair);
    assertOneWinner(race(same), "identical registrations");
    long winner = login(pair[1], pair[0]);
    assertEquals(winner, directoryHolder("usernames", "username", pair[0]));
    assertEquals(winner, directoryHolder("emails", "email", pair[1]));
    assertEquals(1, usersNamed(pair[0]), "one user row bears the name");
  }

  @Test
  void concurrentRegistrationsOfOneUsernameHaveOneWinnerAndLeaveTheLosersEmailsFree() {
    String username = usernameAwayFrom(-1);
    List<String[]> racers = new ArrayList<>();
    for (int i = 0; i < RACERS; i++) racers.add(new String[] {username, emailAwayFrom(physicalOfKey(username))});
    List<Integer> statuses = race(racers);
    assertOneWinner(statuses, "one username, different emails");
    assertEquals(1, usersNamed(username));
    for (int i = 0; i < RACERS; i++) {
      if (statuses.get(i) == 201) continue;
      String email = racers.get(i)[1];
      assertEquals(null, directoryHolder("emails", "email", email), "a loser's email stays unclaimed");
      HttpResponse<Buffer> r = register(usernameAwayFrom(physicalOfKey(email)), email);
      assertEquals(201, r.statusCode(), "a loser's email is free right away: " + r.bodyAsString());
    }
  }

  @Test
  void concurrentRegistrationsOfOneEmailHaveOneWinnerAndGiveBackTheLosersUsernames() {
    String email = emailAwayFrom(-1);
    List<String[]> racers = new ArrayList<>();
    for (int i = 0; i < RACERS; i++) racers.add(new String[] {usernameAwayFrom(physicalOfKey(email)), email});
    List<Integer> statuses = race(racers);
    assertOneWinner(statuses, "one email, different usernames");
    for (int i = 0; i < RACERS; i++) {
      if (statuses.get(i) == 201) continue;
      String username = racers.get(i)[0];
      assertEquals(null, directoryHolder("usernames", "username", username), "the loser's username claim was given back");
      // Within the grace period, so only a real give-back (not a stale take-over) makes this 201.
      HttpResponse<Buffer> r = register(username, emailAwayFrom(physicalOfKey(username)));
      assertEquals(201, r.statusCode(), "a loser's username is free right away: " + r.bodyAsString());
    }
  }

  @Test
  void concurrentTakeOversOfAStaleClaimHaveOneWinner() {
    String username = usernameAwayFrom(-1);
    insertOrphan("usernames", "username", username, ghostId(username + "@ghost.example.com"), true);
    List<String[]> racers = new ArrayList<>();
    for (int i = 0; i < RACERS; i++) racers.add(new String[] {username, emailAwayFrom(physicalOfKey(username))});
    List<Integer> statuses = race(racers);
    assertOneWinner(statuses, "taking over a stale username claim");
    String winnerEmail = racers.get(statuses.indexOf(201))[1];
    assertEquals(login(winnerEmail, username), directoryHolder("usernames", "username", username));
    assertEquals(1, usersNamed(username));
  }

  // ---------------------------------------------------------------- half-finished registrations

  @Test
  void aStaleHalfFinishedRegistrationDoesNotBlockItsUsername() {
    String[] pair = crossShardPair();
    insertOrphan("usernames", "username", pair[0], ghostId(pair[1]), true);
    assertEquals(404, client.get("/api/profiles/" + pair[0]).statusCode(), "an orphan claim names nobody");
    HttpResponse<Buffer> r = register(pair[0], pair[1]);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    long id = subjectOf(r.bodyAsJsonObject().getJsonObject("user").getString("token"));
    assertEquals(id, directoryHolder("usernames", "username", pair[0]), "the claim was taken over");
    HttpResponse<Buffer> profile = client.get("/api/profiles/" + pair[0]);
    assertEquals(200, profile.statusCode(), profile.bodyAsString());
    assertEquals(pair[0], profile.bodyAsJsonObject().getJsonObject("profile").getString("username"));
  }

  @Test
  void aStaleHalfFinishedRegistrationDoesNotBlockItsEmail() {
    String[] pair = crossShardPair();
    insertOrphan("emails", "email", pair[1], ghostId(pair[1]), true);
    HttpResponse<Buffer> r = register(pair[0], pair[1]);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    long id = subjectOf(r.bodyAsJsonObject().getJsonObject("user").getString("token"));
    assertEquals(id, directoryHolder("emails", "email", pair[1]));
    assertEquals(id, login(pair[1], pair[0]));
  }

  @Test
  void aFreshHalfFinishedRegistrationBlocksItsUsernameWhileItMayBeInFlight() {
    String[] pair = crossShardPair();
    long ghost = ghostId(pair[1]);
    insertOrphan("usernames", "username", pair[0], ghost, false);
    assertTaken(register(pair[0], pair[1]), "username");
    assertEquals(ghost, directoryHolder("usernames", "username", pair[0]), "the in-flight claim is left alone");
    assertEquals(null, directoryHolder("emails", "email", pair[1]), "the refused registration gave its email back");
    assertEquals(404, client.get("/api/profiles/" + pair[0]).statusCode(), "the claim makes nobody visible");
    assertEquals(201, register(usernameAwayFrom(-1), pair[1]).statusCode(), "the email is free");
  }

  @Test
  void aFreshHalfFinishedRegistrationBlocksItsEmailWhileItMayBeInFlight() {
    String[] pair = crossShardPair();
    insertOrphan("emails", "email", pair[1], ghostId(pair[1]), false);
    assertTaken(register(pair[0], pair[1]), "email");
    assertEquals(null, directoryHolder("usernames", "username", pair[0]), "the refused registration gave its username back");
    assertEquals(201, register(pair[0], emailAwayFrom(physicalOfKey(pair[0]))).statusCode(), "the username is free");
  }

  @Test
  void anOldClaimOfAUserWhoStillBearsTheNameIsNotStale() {
    String[] pair = crossShardPair();
    assertEquals(201, register(pair[0], pair[1]).statusCode());
    // Every real claim is old after 30 s; age these two rather than wait.
    PropDbs.rows(dbOfKey(pair[0]), "UPDATE usernames SET reserved_at = now() - interval '1 hour' WHERE username = $1", pair[0]);
    PropDbs.rows(dbOfKey(pair[1]), "UPDATE emails SET reserved_at = now() - interval '1 hour' WHERE email = $1", pair[1]);
    assertTaken(register(pair[0], emailAwayFrom(physicalOfKey(pair[0]))), "username");
    assertTaken(register(usernameAwayFrom(physicalOfKey(pair[1])), pair[1]), "email");
    assertTaken(register(usernameAwayFrom(physicalOfKey(pair[1])), pair[1].toUpperCase(Locale.ROOT)), "email");
    assertEquals(1, usersNamed(pair[0]));
  }

  // ---------------------------------------------------------------- renames and misdirected rows

  @Test
  void afterAUsernameChangeTheOldNameIsFreeAndTheNewNameTaken() {
    String[] pair = crossShardPair();
    HttpResponse<Buffer> first = register(pair[0], pair[1]);
    assertEquals(201, first.statusCode(), first.bodyAsString());
    String token = first.bodyAsJsonObject().getJsonObject("user").getString("token");
    client.article(token, Client.unique("Before the rename"));
    String newName = usernameAwayFrom(physicalOfKey(pair[0]));
    assertNotEquals(physicalOfKey(pair[0]), physicalOfKey(newName));
    HttpResponse<Buffer> renamed = client.put("/api/user", token, new JsonObject().put("user", new JsonObject().put("username", newName)));
    assertEquals(200, renamed.statusCode(), renamed.bodyAsString());

    assertEquals(404, client.get("/api/profiles/" + pair[0]).statusCode(), "the old name names nobody");
    assertEquals(1, client.get("/api/articles?author=" + newName).bodyAsJsonObject().getLong("articlesCount"));

    String otherEmail = emailAwayFrom(physicalOfKey(pair[0]));
    HttpResponse<Buffer> second = register(pair[0], otherEmail);
    assertEquals(201, second.statusCode(), "the old name is free: " + second.bodyAsString());
    assertTaken(register(newName, emailAwayFrom(physicalOfKey(newName))), "username");

    long secondId = subjectOf(second.bodyAsJsonObject().getJsonObject("user").getString("token"));
    assertEquals(secondId, directoryHolder("usernames", "username", pair[0]));
    assertEquals(subjectOf(token), directoryHolder("usernames", "username", newName));
    assertEquals(0, client.get("/api/articles?author=" + pair[0]).bodyAsJsonObject().getLong("articlesCount"),
        "the old name's new holder has none of the renamed user's articles");
    assertEquals(1, client.get("/api/articles?author=" + newName).bodyAsJsonObject().getLong("articlesCount"));
    assertTaken(register(Client.unique("rx"), pair[1]), "email"); // the renamed user kept their email
  }

  @Test
  void noUserIsVisibleByAUsernameWhoseDirectoryRowPointsToAnotherUser() {
    String[] pair = crossShardPair();
    HttpResponse<Buffer> r = register(pair[0], pair[1]);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    String token = r.bodyAsJsonObject().getJsonObject("user").getString("token");
    long id = subjectOf(token);
    String slug = client.article(token, Client.unique("Misdirected")).getString("slug");
    assertEquals(200, client.post("/api/articles/" + slug + "/favorite", token, null).statusCode());

    // A row for a name this user never bore, pointing at them (as a stale rename or a bad copy would).
    String alias = usernameAwayFrom(physicalOfKey(pair[0]));
    insertOrphan("usernames", "username", alias, id, false);
    assertEquals(404, client.get("/api/profiles/" + alias).statusCode());
    assertEquals(404, client.get("/api/profiles/" + alias, token).statusCode());
    assertEquals(404, client.post("/api/profiles/" + alias + "/follow", token, null).statusCode());
    for (String filter : List.of("author", "favorited")) {
      JsonObject page = client.get("/api/articles?" + filter + "=" + alias).bodyAsJsonObject();
      assertEquals(0, page.getLong("articlesCount"), filter + "=" + alias + ": " + page.encode());
    }
    // The name itself is not taken by that user: once the claim is old, a newcomer gets it.
    PropDbs.rows(dbOfKey(alias), "UPDATE usernames SET reserved_at = now() - interval '1 minute' WHERE username = $1", alias);
    HttpResponse<Buffer> newcomer = register(alias, emailAwayFrom(physicalOfKey(alias)));
    assertEquals(201, newcomer.statusCode(), newcomer.bodyAsString());
    assertEquals(alias, client.get("/api/profiles/" + alias).bodyAsJsonObject().getJsonObject("profile").getString("username"));
    assertEquals(0, client.get("/api/articles?author=" + alias).bodyAsJsonObject().getLong("articlesCount"));

    // The user's own row pointed elsewhere: their name stops resolving rather than showing someone else.
    PropDbs.rows(dbOfKey(pair[0]), "UPDATE usernames SET user_id = $2 WHERE username = $1", pair[0],
        subjectOf(newcomer.bodyAsJsonObject().getJsonObject("user").getString("token")));
    assertEquals(404, client.get("/api/profiles/" + pair[0]).statusCode());
    assertEquals(0, client.get("/api/articles?author=" + pair[0]).bodyAsJsonObject().getLong("articlesCount"));
  }
}
