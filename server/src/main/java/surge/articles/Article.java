package surge.articles;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import surge.profiles.Profile;

/**
 * An article as read for one viewer ({@code favorited} is theirs). {@code body} is null in lists,
 * which never carry it.
 */
public record Article(long id, String title, String description, String body, String[] tags,
                      int favoritesCount, OffsetDateTime createdAt, OffsetDateTime updatedAt,
                      Profile author, boolean favorited) {

  /** ISO-8601 in UTC with milliseconds, e.g. {@code 2016-02-18T03:22:56.637Z}. */
  public static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");

  public String slug() {
    return Slugs.of(title, id);
  }

  public static String time(OffsetDateTime t) {
    return TIME.format(t.withOffsetSameInstant(ZoneOffset.UTC));
  }

  static Article from(Row row, boolean withBody) {
    return new Article(row.getLong("id"), row.getString("title"), row.getString("description"),
        withBody ? row.getString("body") : null, row.getArrayOfStrings("tags"), row.getInteger("favorites_count"),
        row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at"),
        Profile.from(row, "author_id"), row.getBoolean("favorited"));
  }

  /** What the {@code article} cache keeps: everything but the viewer's flag and the author's profile. */
  JsonObject core() {
    return new JsonObject().put("id", id).put("slug", slug()).put("title", title).put("description", description).put("body", body)
        .put("tags", new JsonArray(java.util.List.of((Object[]) tags))).put("favoritesCount", favoritesCount)
        .put("createdAt", time(createdAt)).put("updatedAt", time(updatedAt)).put("authorId", author.id());
  }

  static long authorIdOf(JsonObject core) {
    return core.getLong("authorId");
  }

  /** An article from a cached {@link #core()}, with the author's profile and the viewer's flag read per request. */
  static Article fromCore(JsonObject core, Profile author, boolean favorited) {
    JsonArray tagList = core.getJsonArray("tags");
    String[] tags = new String[tagList.size()];
    for (int i = 0; i < tags.length; i++) tags[i] = tagList.getString(i);
    return new Article(core.getLong("id"), core.getString("title"), core.getString("description"), core.getString("body"),
        tags, core.getInteger("favoritesCount"), OffsetDateTime.parse(core.getString("createdAt")),
        OffsetDateTime.parse(core.getString("updatedAt")), author, favorited);
  }

  /**
   * The article as a list shows it, straight from its cached {@link #core()}: the same JSON as
   * {@code fromCore(core, author, favorited).listed().toJson(followingAuthor)} without parsing the two times and
   * formatting them again, or folding the title into a slug (a core written before cores carried their slug still
   * works). That round trip was a quarter of the feed's CPU, for every article of every page.
   */
  static JsonObject listedJson(JsonObject core, Profile author, boolean favorited, boolean followingAuthor) {
    String slug = core.getString("slug");
    return new JsonObject()
        .put("slug", slug != null ? slug : Slugs.of(core.getString("title"), core.getLong("id")))
        .put("title", core.getString("title"))
        .put("description", core.getString("description"))
        .put("tagList", core.getJsonArray("tags"))
        .put("createdAt", core.getString("createdAt"))
        .put("updatedAt", core.getString("updatedAt"))
        .put("favorited", favorited)
        .put("favoritesCount", core.getInteger("favoritesCount"))
        .put("author", author.toJson(followingAuthor));
  }

  /** The article as lists show it: without its body. */
  Article listed() {
    return body == null ? this : new Article(id, title, description, null, tags, favoritesCount, createdAt, updatedAt,
        author, favorited);
  }

  public JsonObject toJson(boolean followingAuthor) {
    JsonObject json = new JsonObject()
        .put("slug", slug())
        .put("title", title)
        .put("description", description);
    if (body != null) json.put("body", body);
    return json
        .put("tagList", new JsonArray(java.util.List.of((Object[]) tags)))
        .put("createdAt", time(createdAt))
        .put("updatedAt", time(updatedAt))
        .put("favorited", favorited)
        .put("favoritesCount", favoritesCount)
        .put("author", author.toJson(followingAuthor));
  }
}
