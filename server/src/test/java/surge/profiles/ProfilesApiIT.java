package surge.profiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static surge.support.ErrorShape.assertError;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import surge.support.Client;
import surge.support.WithNode;

/** GET /profiles/:username, follow and unfollow. */
class ProfilesApiIT extends WithNode {

  @Test
  void anonymousGetsProfileWithFollowingFalse() {
    JsonObject user = client.register("prof");
    JsonObject profile = profile(client.get(path(user)), 200);
    assertEquals(user.getString("username"), profile.getString("username"));
    assertTrue(profile.containsKey("bio") && profile.containsKey("image"), profile.encode());
    assertNull(profile.getValue("bio"));
    assertNull(profile.getValue("image"));
    assertEquals(false, profile.getBoolean("following"));
    assertFalse(profile.containsKey("email"), "a profile must not expose the email");
    assertFalse(profile.containsKey("token"), "a profile must not expose a token");
  }

  @Test
  void profileShowsUpdatedBioAndImage() {
    JsonObject user = client.register("bioimg");
    client.put("/api/user", user.getString("token"), new JsonObject().put("user",
        new JsonObject().put("bio", "hello").put("image", "https://img.example/p.png")));
    JsonObject profile = profile(client.get(path(user)), 200);
    assertEquals("hello", profile.getString("bio"));
    assertEquals("https://img.example/p.png", profile.getString("image"));
  }

  @Test
  void unknownProfileIs404() {
    assertError(client.get("/api/profiles/" + Client.unique("ghost")), 404, "profile");
  }

  @Test
  void unknownProfileWithTokenIs404() {
    JsonObject viewer = client.register("viewer");
    assertError(client.get("/api/profiles/" + Client.unique("ghost"), viewer.getString("token")), 404, "profile");
  }

  @Test
  void profileLookupIsCaseSensitive() {
    JsonObject user = client.register("lowercase");
    assertError(client.get("/api/profiles/" + user.getString("username").toUpperCase()), 404, "profile");
  }

  @Test
  void followReturnsProfileWithFollowingTrue() {
    JsonObject fan = client.register("fan");
    JsonObject star = client.register("star");
    JsonObject profile = profile(client.post(path(star) + "/follow", fan.getString("token"), null), 200);
    assertEquals(star.getString("username"), profile.getString("username"));
    assertEquals(true, profile.getBoolean("following"));
  }

  @Test
  void followingIsPerViewer() {
    JsonObject fan = client.register("fan");
    JsonObject other = client.register("other");
    JsonObject star = client.register("star");
    client.post(path(star) + "/follow", fan.getString("token"), null);

    assertEquals(true, profile(client.get(path(star), fan.getString("token")), 200).getBoolean("following"));
    assertEquals(false, profile(client.get(path(star), other.getString("token")), 200).getBoolean("following"));
    assertEquals(false, profile(client.get(path(star)), 200).getBoolean("following"));
    // following is one-directional
    assertEquals(false, profile(client.get(path(fan), star.getString("token")), 200).getBoolean("following"));
  }

  @Test
  void followTwiceIsIdempotent() {
    JsonObject fan = client.register("twice");
    JsonObject star = client.register("star");
    assertEquals(true, profile(client.post(path(star) + "/follow", fan.getString("token"), null), 200).getBoolean("following"));
    assertEquals(true, profile(client.post(path(star) + "/follow", fan.getString("token"), null), 200).getBoolean("following"));
    assertEquals(true, profile(client.get(path(star), fan.getString("token")), 200).getBoolean("following"));
  }

  @Test
  void unfollowReturnsProfileWithFollowingFalseAndSticks() {
    JsonObject fan = client.register("unfan");
    JsonObject star = client.register("star");
    client.post(path(star) + "/follow", fan.getString("token"), null);
    JsonObject profile = profile(client.delete(path(star) + "/follow", fan.getString("token")), 200);
    assertEquals(star.getString("username"), profile.getString("username"));
    assertEquals(false, profile.getBoolean("following"));
    assertEquals(false, profile(client.get(path(star), fan.getString("token")), 200).getBoolean("following"));
  }

  @Test
  void unfollowWhenNotFollowingIsHarmless() {
    JsonObject fan = client.register("never");
    JsonObject star = client.register("star");
    assertEquals(false, profile(client.delete(path(star) + "/follow", fan.getString("token")), 200).getBoolean("following"));
  }

  @Test
  void followAndUnfollowOfUnknownUserIs404() {
    JsonObject fan = client.register("lost");
    String ghost = "/api/profiles/" + Client.unique("ghost") + "/follow";
    assertError(client.post(ghost, fan.getString("token"), null), 404, "profile");
    assertError(client.delete(ghost, fan.getString("token")), 404, "profile");
  }

  @Test
  void followAndUnfollowWithoutTokenAre401() {
    JsonObject star = client.register("star");
    assertError(client.post(path(star) + "/follow", null, null), 401, "token");
    assertError(client.delete(path(star) + "/follow", null), 401, "token");
  }

  @Test
  void followOfUnknownUserWithoutTokenIs401Not404() {
    String ghost = "/api/profiles/" + Client.unique("ghost") + "/follow";
    assertError(client.post(ghost, null, null), 401, "token");
    assertError(client.delete(ghost, null), 401, "token");
  }

  @Test
  void followSurvivesTheFolloweesRename() {
    JsonObject fan = client.register("loyal");
    JsonObject star = client.register("star");
    client.post(path(star) + "/follow", fan.getString("token"), null);
    String newName = Client.unique("renamedstar");
    assertEquals(200, client.put("/api/user", star.getString("token"),
        new JsonObject().put("user", new JsonObject().put("username", newName))).statusCode());

    JsonObject profile = profile(client.get("/api/profiles/" + newName, fan.getString("token")), 200);
    assertEquals(newName, profile.getString("username"));
    assertEquals(true, profile.getBoolean("following"));
  }

  // ---------------------------------------------------------------- helpers

  private static String path(JsonObject user) {
    return "/api/profiles/" + user.getString("username");
  }

  private static JsonObject profile(HttpResponse<Buffer> r, int status) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    assertEquals("application/json; charset=utf-8", r.getHeader("Content-Type"));
    JsonObject profile = r.bodyAsJsonObject().getJsonObject("profile");
    assertNotNull(profile, r.bodyAsString());
    return profile;
  }
}
