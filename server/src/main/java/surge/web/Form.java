package surge.web;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import surge.core.ApiError;

/**
 * Reads the wrapped object of a RealWorld request body ({@code {"user":{...}}}) and collects every
 * field error before failing once with 422, so a client sees all of them in one response.
 */
public final class Form {
  private final JsonObject in;
  private final JsonObject errors = new JsonObject();

  private Form(JsonObject in) {
    this.in = in;
  }

  /** Parses the body; malformed JSON is 400, a missing or non-object wrapper 422. */
  public static Form of(RoutingContext ctx, String wrapper) {
    return of(ctx.body().buffer(), wrapper);
  }

  /** The fields of an object that is already parsed (a GraphQL input): the same checks as a request body's. */
  public static Form of(JsonObject fields) {
    return new Form(fields);
  }

  static Form of(Buffer body, String wrapper) {
    if (body == null || body.length() == 0) throw ApiError.invalid(wrapper, "is missing");
    Object root;
    try {
      root = Json.decodeValue(body);
    } catch (DecodeException e) {
      throw ApiError.badRequest("body", "is not valid JSON");
    }
    Object inner = asObject(root) == null ? null : asObject(root).getValue(wrapper);
    JsonObject form = asObject(inner);
    if (form == null) throw ApiError.invalid(wrapper, "is missing");
    return new Form(form);
  }

  /** A present, non-blank string. */
  public String required(String field, int maxLength) {
    Object value = in.getValue(field);
    if (value == null) return fail(field, "can't be blank");
    if (!(value instanceof String s)) return fail(field, "must be a string");
    if (s.isBlank()) return fail(field, "can't be blank");
    return checkText(field, s, maxLength);
  }

  /** For updates: absent keeps the stored value; null and strings are passed on as given. */
  public Patch optional(String field, int maxLength) {
    if (!in.containsKey(field)) return Patch.ABSENT;
    Object value = in.getValue(field);
    if (value == null) return Patch.NULL;
    if (!(value instanceof String s)) {
      fail(field, "must be a string");
      return Patch.ABSENT;
    }
    return new Patch(true, checkText(field, s, maxLength));
  }

  /** For updates of fields that cannot be cleared: absent gives null (keep), null or blank is an error. */
  public String replacement(String field, int maxLength) {
    Patch patch = optional(field, maxLength);
    if (patch.present() && patch.valueOrNullIfBlank() == null && !errors.containsKey(field)) {
      fail(field, "can't be blank");
    }
    return patch.valueOrNullIfBlank();
  }

  /**
   * A list of tags: trimmed, de-duplicated, sorted. Absent gives null (keep or none); explicit null
   * is an error because clients that send it usually meant {@code []}.
   */
  public List<String> tags(String field, int maxTags, int maxLength) {
    if (!in.containsKey(field)) return null;
    Object value = in.getValue(field);
    if (!(value instanceof JsonArray array)) {
      fail(field, value == null ? "can't be null" : "must be an array of strings");
      return null;
    }
    TreeSet<String> tags = new TreeSet<>();
    for (Object tag : array) {
      // trim() also strips control characters, which isBlank() does not count as blank.
      if (!(tag instanceof String s) || s.isBlank() || s.trim().isEmpty()) {
        fail(field, "must contain only non-blank strings");
        return null;
      }
      String t = checkText(field, s.trim(), maxLength);
      if (t != null) tags.add(t);
    }
    if (tags.size() > maxTags) fail(field, "has too many tags (maximum is " + maxTags + ")");
    return new ArrayList<>(tags);
  }

  public void check(boolean ok, String field, String message) {
    if (!ok) fail(field, message);
  }

  public boolean hasError(String field) {
    return errors.containsKey(field);
  }

  /** Fails with every collected error, if there are any. */
  public void done() {
    if (!errors.isEmpty()) throw ApiError.unprocessable(errors);
  }

  private String checkText(String field, String s, int maxLength) {
    if (s.length() > maxLength) return fail(field, "is too long (maximum is " + maxLength + " characters)");
    // PostgreSQL text cannot hold NUL; refusing it here keeps it from becoming a server error.
    if (s.indexOf('\u0000') >= 0) return fail(field, "must not contain NUL characters");
    return s;
  }

  private String fail(String field, String message) {
    JsonArray list = errors.getJsonArray(field);
    if (list == null) errors.put(field, list = new JsonArray());
    list.add(message);
    return null;
  }

  @SuppressWarnings("unchecked")
  private static JsonObject asObject(Object value) {
    if (value instanceof JsonObject o) return o;
    if (value instanceof Map<?, ?> m) return new JsonObject((Map<String, Object>) m);
    return null;
  }

  /** An optional update field: absent, explicitly null, or a value. */
  public record Patch(boolean present, String value) {
    static final Patch ABSENT = new Patch(false, null);
    static final Patch NULL = new Patch(true, null);

    /** Blank strings count as null (RealWorld clients send "" to clear bio or image). */
    public String valueOrNullIfBlank() {
      return value == null || value.isBlank() ? null : value;
    }
  }
}
