package surge.profiles;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

/** A user as others see them. {@code following} is per viewer and therefore not part of it. */
public record Profile(long id, String username, String bio, String image) {

  /** Reads {@code id, username, bio, image} from a row (column names as in ProfilesRepository). */
  public static Profile from(Row row, String idColumn) {
    return new Profile(row.getLong(idColumn), row.getString("username"), row.getString("bio"), row.getString("image"));
  }

  public JsonObject toJson(boolean following) {
    return new JsonObject().put("username", username).put("bio", bio).put("image", image).put("following", following);
  }
}
