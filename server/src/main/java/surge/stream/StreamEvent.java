package surge.stream;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * A live event that may concern a stream, parsed once per hub from the envelope the relay published on
 * {@link surge.events.LiveEvents#ADDRESS}, with its SSE frame encoded once and shared by every stream it goes to.
 *
 * @param id the envelope id (uuid), the SSE {@code id:} clients resume from
 * @param kind which rule of {@link Audience} applies
 * @param actor who acted: the article's author, the commenter, the follower
 * @param target whom it is about: the commented article's author, the followee; {@code -1} for new articles
 *     (their audience is the author's followers)
 * @param article the article a new article or a comment is about; {@code -1} for follows
 * @param data the envelope's {@code data} (ids as strings), for subscribers that read more than the ids above
 *     (GraphQL subscriptions); shared, never to be changed
 * @param frame {@code id: …\nevent: …\ndata: <envelope>\n\n}
 */
public record StreamEvent(String id, Kind kind, long actor, long target, long article, JsonObject data, Buffer frame) {

  /** The event types a stream cares about; every other type is ignored. */
  public enum Kind {
    ARTICLE_CREATED("surge.article.created"),
    COMMENT_ADDED("surge.comment.added"),
    USER_FOLLOWED("surge.user.followed"),
    USER_UNFOLLOWED("surge.user.unfollowed");

    final String type;

    Kind(String type) {
      this.type = type;
    }

    static Kind of(String type) {
      if (type == null) return null;
      for (Kind kind : values()) if (kind.type.equals(type)) return kind;
      return null;
    }
  }

  /**
   * Parses an envelope (JSON text, or a JsonObject/Buffer from a lenient publisher). Returns null for types
   * streams ignore; throws {@link IllegalArgumentException} (or a JSON/number/class-cast exception) for a
   * malformed envelope of a type they would use.
   */
  static StreamEvent parse(Object body) {
    String text = body instanceof String s ? s : body instanceof Buffer b ? b.toString()
        : body instanceof JsonObject j ? j.encode() : null;
    if (text == null) throw new IllegalArgumentException("not a JSON envelope: " + (body == null ? "null" : body.getClass()));
    JsonObject envelope = new JsonObject(text);
    Kind kind = Kind.of(envelope.getString("type"));
    if (kind == null) return null;
    String id = envelope.getString("id");
    if (id == null || id.isEmpty() || id.length() > 128 || !Sse.isLineSafe(id)) {
      throw new IllegalArgumentException("envelope id missing or not usable as an SSE id");
    }
    JsonObject data = envelope.getJsonObject("data");
    if (data == null) throw new IllegalArgumentException("envelope has no data");
    // JSON text has line breaks only between tokens; a pretty-printed envelope is re-encoded onto one line
    String line = text.indexOf('\n') < 0 && text.indexOf('\r') < 0 ? text : envelope.encode();
    Buffer frame = Sse.event(id, kind.type, line);
    return switch (kind) {
      case ARTICLE_CREATED -> new StreamEvent(id, kind, idOf(data, "authorId"), -1, idOf(data, "articleId"), data, frame);
      case COMMENT_ADDED -> new StreamEvent(id, kind, idOf(data, "authorId"), idOf(data, "articleAuthorId"),
          idOf(data, "articleId"), data, frame);
      case USER_FOLLOWED, USER_UNFOLLOWED ->
          new StreamEvent(id, kind, idOf(data, "followerId"), idOf(data, "followeeId"), -1, data, frame);
    };
  }

  /** Ids travel as strings (they exceed 2^53); a number is accepted too. */
  public static long idOf(JsonObject data, String field) {
    Object value = data.getValue(field);
    if (value instanceof String s) return Long.parseLong(s);
    if (value instanceof Number n) return n.longValue();
    throw new IllegalArgumentException("data." + field + " missing");
  }
}
