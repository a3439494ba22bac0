package surge.users;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

/** The authenticated user's own record (never sent with its password hash). */
public record User(long id, String username, String email, String bio, String image) {

  static User from(Row row) {
    return new User(row.getLong("id"), row.getString("username"), row.getString("email"),
        row.getString("bio"), row.getString("image"));
  }

  public JsonObject toJson(String token) {
    return new JsonObject().put("user", new JsonObject()
        .put("email", email).put("token", token).put("username", username).put("bio", bio).put("image", image));
  }
}
