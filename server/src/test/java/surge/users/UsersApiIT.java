package surge.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static surge.support.ErrorShape.assertError;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import surge.support.Client;
import surge.support.WithNode;

/** Registration, login, GET /user and PUT /user through the real HTTP API. */
class UsersApiIT extends WithNode {
  private static final int RACERS = 20;
  static WebClient web;

  @BeforeAll
  static void startWebClient(Vertx vertx) {
    // one connection per concurrent request, so the race test really races
    web = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(node.port()),
        new PoolOptions().setHttp1MaxSize(RACERS));
  }

  @AfterAll
  static void closeWebClient() {
    web.close();
  }

  // ---------------------------------------------------------------- registration

  @Test
  void registerReturns201WithTokenThatWorksAndNullBioAndImage() {
    String name = Client.unique("reg");
    HttpResponse<Buffer> r = register(name, name + "@example.com", "password123");
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject user = r.bodyAsJsonObject().getJsonObject("user");
    assertEquals(name, user.getString("username"));
    assertEquals(name + "@example.com", user.getString("email"));
    assertTrue(user.containsKey("bio") && user.containsKey("image"), user.encode());
    assertNull(user.getValue("bio"));
    assertNull(user.getValue("image"));
    assertFalse(user.containsKey("password"), "password must never be echoed");

    HttpResponse<Buffer> me = client.get("/api/user", user.getString("token"));
    assertEquals(200, me.statusCode(), me.bodyAsString());
    assertEquals(name, me.bodyAsJsonObject().getJsonObject("user").getString("username"));
  }

  @Test
  void registerWithBlankOrMissingFieldsIs422NamingEveryField() {
    HttpResponse<Buffer> r = client.post("/api/users", null, new JsonObject().put("user",
        new JsonObject().put("username", "").put("email", "   ")));
    JsonObject errors = assertError(r, 422, "username");
    assertEquals(new JsonArray().add("can't be blank"), errors.getJsonArray("username"));
    assertEquals(new JsonArray().add("can't be blank"), errors.getJsonArray("email"));
    assertEquals(new JsonArray().add("can't be blank"), errors.getJsonArray("password"));
  }

  @Test
  void registerWithTakenUsernameIs409OnUsername() {
    JsonObject existing = client.register("dupu");
    String other = Client.unique("dupu");
    HttpResponse<Buffer> r = register(existing.getString("username"), other + "@example.com", "password123");
    JsonObject errors = assertError(r, 409, "username");
    assertEquals(new JsonArray().add("has already been taken"), errors.getJsonArray("username"));
    assertFalse(errors.containsKey("email"), errors.encode());
  }

  @Test
  void registerWithTakenEmailInAnyCaseIs409OnEmail() {
    JsonObject existing = client.register("dupe");
    HttpResponse<Buffer> r = register(Client.unique("dupe"), existing.getString("email").toUpperCase(), "password123");
    JsonObject errors = assertError(r, 409, "email");
    assertEquals(new JsonArray().add("has already been taken"), errors.getJsonArray("email"));
    assertFalse(errors.containsKey("username"), errors.encode());
  }

  @Test
  void registerWithTakenUsernameAndEmailNamesBoth() {
    JsonObject existing = client.register("dupb");
    HttpResponse<Buffer> r = register(existing.getString("username"), existing.getString("email"), "password123");
    JsonObject errors = assertError(r, 409, "username");
    assertEquals(new JsonArray().add("has already been taken"), errors.getJsonArray("email"));
  }

  @Test
  void usernamesAreCaseSensitive() {
    String lower = Client.unique("case").toLowerCase();
    String upper = lower.toUpperCase();
    assertEquals(201, register(lower, lower + "@example.com", "password123").statusCode());
    HttpResponse<Buffer> r = register(upper, "x" + lower + "@example.com", "password123");
    assertEquals(201, r.statusCode(), r.bodyAsString());
    assertEquals(upper, r.bodyAsJsonObject().getJsonObject("user").getString("username"));
  }

  @Test
  void registerPasswordLengthMustBeBetween8And64() {
    String a = Client.unique("pw");
    assertError(register(a, a + "@example.com", "1234567"), 422, "password");
    String b = Client.unique("pw");
    assertError(register(b, b + "@example.com", "x".repeat(65)), 422, "password");
    String c = Client.unique("pw");
    assertEquals(201, register(c, c + "@example.com", "12345678").statusCode());
    String d = Client.unique("pw");
    assertEquals(201, register(d, d + "@example.com", "y".repeat(64)).statusCode());
    assertEquals(200, login(d + "@example.com", "y".repeat(64)).statusCode());
  }

  @Test
  void concurrentDuplicateRegistrationsYieldExactlyOne201AndOtherwise409() {
    String name = Client.unique("race");
    JsonObject body = new JsonObject().put("user", new JsonObject()
        .put("username", name).put("email", name + "@example.com").put("password", "password123"));
    List<Future<HttpResponse<Buffer>>> requests = new ArrayList<>();
    for (int i = 0; i < RACERS; i++) requests.add(web.post("/api/users").sendJsonObject(body));
    Future.all(requests).await();

    int created = 0;
    for (Future<HttpResponse<Buffer>> f : requests) {
      HttpResponse<Buffer> r = f.result();
      if (r.statusCode() == 201) {
        created++;
      } else {
        JsonObject errors = assertError(r, 409);
        assertTrue(errors.containsKey("username") || errors.containsKey("email"), errors.encode());
      }
    }
    assertEquals(1, created);
    assertEquals(200, login(name + "@example.com", "password123").statusCode());
  }

  // ---------------------------------------------------------------- login

  @Test
  void loginReturnsUserWithFreshToken() {
    JsonObject user = client.register("login");
    HttpResponse<Buffer> r = login(user.getString("email"), user.getString("password"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject logged = r.bodyAsJsonObject().getJsonObject("user");
    assertEquals(user.getString("username"), logged.getString("username"));
    assertEquals(user.getString("email"), logged.getString("email"));
    assertEquals(200, client.get("/api/user", logged.getString("token")).statusCode());
  }

  @Test
  void loginEmailIsCaseInsensitive() {
    JsonObject user = client.register("LoginCase");
    HttpResponse<Buffer> r = login(user.getString("email").toUpperCase(), user.getString("password"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(user.getString("username"), r.bodyAsJsonObject().getJsonObject("user").getString("username"));
  }

  @Test
  void loginWithWrongPasswordIs401OnCredentials() {
    JsonObject user = client.register("badpw");
    assertError(login(user.getString("email"), user.getString("password") + "x"), 401, "credentials");
  }

  @Test
  void loginWithUnknownEmailIs401OnCredentials() {
    assertError(login(Client.unique("nobody") + "@example.com", "password123"), 401, "credentials");
  }

  @Test
  void loginPasswordIsCaseSensitive() {
    JsonObject user = client.register("pwcase");
    assertError(login(user.getString("email"), user.getString("password").toUpperCase()), 401, "credentials");
  }

  @Test
  void loginWithBlankFieldsIs422() {
    HttpResponse<Buffer> r = client.post("/api/users/login", null,
        new JsonObject().put("user", new JsonObject().put("email", "").put("password", "")));
    JsonObject errors = assertError(r, 422, "email");
    assertEquals(new JsonArray().add("can't be blank"), errors.getJsonArray("email"));
    assertEquals(new JsonArray().add("can't be blank"), errors.getJsonArray("password"));
  }

  // ---------------------------------------------------------------- GET /user

  @Test
  void currentUserEchoesTheRequestToken() {
    JsonObject user = client.register("me");
    HttpResponse<Buffer> r = client.get("/api/user", user.getString("token"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject me = r.bodyAsJsonObject().getJsonObject("user");
    assertEquals(user.getString("token"), me.getString("token"));
    assertEquals(user.getString("email"), me.getString("email"));
    assertTrue(me.containsKey("bio") && me.containsKey("image"), me.encode());
  }

  @Test
  void currentUserWithoutTokenIs401() {
    assertError(client.get("/api/user"), 401, "token");
  }

  // ---------------------------------------------------------------- PUT /user

  @Test
  void updateSetsBioAndImageAndKeepsOtherFields() {
    JsonObject user = client.register("upd");
    HttpResponse<Buffer> r = update(user, new JsonObject().put("bio", "I write tests").put("image", "https://img.example/a.png"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject updated = r.bodyAsJsonObject().getJsonObject("user");
    assertEquals("I write tests", updated.getString("bio"));
    assertEquals("https://img.example/a.png", updated.getString("image"));
    assertEquals(user.getString("username"), updated.getString("username"));
    assertEquals(user.getString("email"), updated.getString("email"));

    JsonObject reread = client.get("/api/user", user.getString("token")).bodyAsJsonObject().getJsonObject("user");
    assertEquals("I write tests", reread.getString("bio"));
    assertEquals("https://img.example/a.png", reread.getString("image"));
  }

  @Test
  void updateWithEmptyBioAndImageStoresNull() {
    JsonObject user = client.register("clear");
    update(user, new JsonObject().put("bio", "something").put("image", "https://img.example/b.png"));
    HttpResponse<Buffer> r = update(user, new JsonObject().put("bio", "").put("image", ""));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertClearedBioAndImage(r.bodyAsJsonObject().getJsonObject("user"));
    assertClearedBioAndImage(client.get("/api/user", user.getString("token")).bodyAsJsonObject().getJsonObject("user"));
  }

  @Test
  void updateWithExplicitNullBioAndImageStoresNull() {
    JsonObject user = client.register("nulls");
    update(user, new JsonObject().put("bio", "something").put("image", "https://img.example/c.png"));
    HttpResponse<Buffer> r = update(user, new JsonObject().putNull("bio").putNull("image"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertClearedBioAndImage(r.bodyAsJsonObject().getJsonObject("user"));
    assertClearedBioAndImage(client.get("/api/user", user.getString("token")).bodyAsJsonObject().getJsonObject("user"));
  }

  @Test
  void updateWithoutChangesKeepsEverything() {
    JsonObject user = client.register("noop");
    update(user, new JsonObject().put("bio", "kept"));
    HttpResponse<Buffer> r = update(user, new JsonObject());
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject same = r.bodyAsJsonObject().getJsonObject("user");
    assertEquals(user.getString("username"), same.getString("username"));
    assertEquals("kept", same.getString("bio"));
  }

  @Test
  void updateWithEmptyOrNullUsernameOrEmailIs422() {
    JsonObject user = client.register("blank");
    assertBlank(update(user, new JsonObject().put("username", "")), "username");
    assertBlank(update(user, new JsonObject().putNull("username")), "username");
    assertBlank(update(user, new JsonObject().put("email", "")), "email");
    assertBlank(update(user, new JsonObject().putNull("email")), "email");
    // nothing was changed by the refused requests
    JsonObject me = client.get("/api/user", user.getString("token")).bodyAsJsonObject().getJsonObject("user");
    assertEquals(user.getString("username"), me.getString("username"));
    assertEquals(user.getString("email"), me.getString("email"));
  }

  @Test
  void updateWithEmptyNullOrShortPasswordIs422AndKeepsOldPassword() {
    JsonObject user = client.register("pwbad");
    assertError(update(user, new JsonObject().put("password", "")), 422, "password");
    assertError(update(user, new JsonObject().putNull("password")), 422, "password");
    assertError(update(user, new JsonObject().put("password", "1234567")), 422, "password");
    assertError(update(user, new JsonObject().put("password", "z".repeat(65))), 422, "password");
    assertEquals(200, login(user.getString("email"), user.getString("password")).statusCode());
  }

  @Test
  void updatePasswordOf8CharsReplacesTheOldOne() {
    JsonObject user = client.register("pw8");
    assertEquals(200, update(user, new JsonObject().put("password", "abcdefgh")).statusCode());
    assertEquals(200, login(user.getString("email"), "abcdefgh").statusCode());
    assertError(login(user.getString("email"), user.getString("password")), 401, "credentials");
  }

  @Test
  void updatePasswordOf64CharsReplacesTheOldOne() {
    JsonObject user = client.register("pw64");
    String longest = "L".repeat(63) + "!";
    assertEquals(200, update(user, new JsonObject().put("password", longest)).statusCode());
    assertEquals(200, login(user.getString("email"), longest).statusCode());
    assertError(login(user.getString("email"), user.getString("password")), 401, "credentials");
  }

  @Test
  void tokenKeepsWorkingAfterUsernameAndEmailChange() {
    JsonObject user = client.register("rename");
    String newName = Client.unique("renamed");
    HttpResponse<Buffer> r = update(user, new JsonObject().put("username", newName).put("email", newName + "@example.org"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(newName, r.bodyAsJsonObject().getJsonObject("user").getString("username"));

    HttpResponse<Buffer> me = client.get("/api/user", user.getString("token"));
    assertEquals(200, me.statusCode(), me.bodyAsString());
    assertEquals(newName, me.bodyAsJsonObject().getJsonObject("user").getString("username"));
    assertEquals(newName + "@example.org", me.bodyAsJsonObject().getJsonObject("user").getString("email"));

    assertEquals(200, login(newName + "@example.org", user.getString("password")).statusCode());
    assertError(login(user.getString("email"), user.getString("password")), 401, "credentials");
  }

  @Test
  void renameMovesTheProfileAndFreesTheOldName() {
    JsonObject user = client.register("move");
    String oldName = user.getString("username");
    String newName = Client.unique("moved");
    assertEquals(200, update(user, new JsonObject().put("username", newName)).statusCode());

    assertError(client.get("/api/profiles/" + oldName), 404, "profile");
    HttpResponse<Buffer> moved = client.get("/api/profiles/" + newName);
    assertEquals(200, moved.statusCode(), moved.bodyAsString());
    assertEquals(newName, moved.bodyAsJsonObject().getJsonObject("profile").getString("username"));

    // the old name and email are free again; the new name is taken
    assertEquals(201, register(oldName, Client.unique("reuse") + "@example.com", "password123").statusCode());
    assertError(register(newName, Client.unique("reuse") + "@example.com", "password123"), 409, "username");
  }

  @Test
  void renameToOwnCurrentNameIsAccepted() {
    JsonObject user = client.register("self");
    HttpResponse<Buffer> r = update(user, new JsonObject()
        .put("username", user.getString("username")).put("email", user.getString("email")));
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }

  @Test
  void renameToTakenUsernameIs409AndChangesNothing() {
    JsonObject taken = client.register("taken");
    JsonObject user = client.register("wants");
    HttpResponse<Buffer> r = update(user, new JsonObject().put("username", taken.getString("username")).put("bio", "new"));
    JsonObject errors = assertError(r, 409, "username");
    assertEquals(new JsonArray().add("has already been taken"), errors.getJsonArray("username"));

    JsonObject me = client.get("/api/user", user.getString("token")).bodyAsJsonObject().getJsonObject("user");
    assertEquals(user.getString("username"), me.getString("username"));
    assertNull(me.getValue("bio"));
  }

  @Test
  void changeEmailToTakenOneInAnyCaseIs409() {
    JsonObject taken = client.register("takenmail");
    JsonObject user = client.register("wantsmail");
    HttpResponse<Buffer> r = update(user, new JsonObject().put("email", taken.getString("email").toUpperCase()));
    assertError(r, 409, "email");
  }

  @Test
  void updateWithoutTokenIs401() {
    assertError(client.put("/api/user", null, new JsonObject().put("user", new JsonObject().put("bio", "x"))), 401, "token");
  }

  // ---------------------------------------------------------------- helpers

  private static HttpResponse<Buffer> register(String username, String email, String password) {
    return client.post("/api/users", null, new JsonObject().put("user", new JsonObject()
        .put("username", username).put("email", email).put("password", password)));
  }

  private static HttpResponse<Buffer> login(String email, String password) {
    return client.post("/api/users/login", null,
        new JsonObject().put("user", new JsonObject().put("email", email).put("password", password)));
  }

  private static HttpResponse<Buffer> update(JsonObject user, JsonObject changes) {
    return client.put("/api/user", user.getString("token"), new JsonObject().put("user", changes));
  }

  private static void assertClearedBioAndImage(JsonObject user) {
    assertTrue(user.containsKey("bio") && user.containsKey("image"), user.encode());
    assertNull(user.getValue("bio"), user.encode());
    assertNull(user.getValue("image"), user.encode());
  }

  private static void assertBlank(HttpResponse<Buffer> r, String field) {
    assertEquals(new JsonArray().add("can't be blank"), assertError(r, 422, field).getJsonArray(field));
  }
}
