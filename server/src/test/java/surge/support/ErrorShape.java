package surge.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Set;

/**
 * The suite's one check of the RealWorld error shape: the expected status, {@code Content-Type:
 * application/json; charset=utf-8}, a body {@code {"errors": {"<field>": ["message", ...], ...}}} where every field
 * has at least one message and every message is a string, and no stack trace or exception name in it.
 */
public final class ErrorShape {
  public static final String JSON_UTF8 = "application/json; charset=utf-8";

  private ErrorShape() {}

  /** An error with {@code status} naming {@code field} (among others, perhaps); returns the {@code errors} object. */
  public static JsonObject assertError(HttpResponse<Buffer> r, int status, String field) {
    JsonObject errors = assertError(r, status);
    assertNotNull(errors.getJsonArray(field), "no errors." + field + " in " + r.bodyAsString());
    return errors;
  }

  /** An error with {@code status} naming {@code field} and nothing else; returns the {@code errors} object. */
  public static JsonObject assertOnlyError(HttpResponse<Buffer> r, int status, String field) {
    JsonObject errors = assertError(r, status);
    assertEquals(Set.of(field), errors.fieldNames(), r.bodyAsString());
    return errors;
  }

  /** An error with {@code status}, whatever it names; returns the {@code errors} object. */
  public static JsonObject assertError(HttpResponse<Buffer> r, int status) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    return assertShape(r.getHeader("Content-Type"), r.bodyAsString());
  }

  /** Any 4xx (the client's fault, never the server's) in the shape; returns the {@code errors} object. */
  public static JsonObject assertClientError(HttpResponse<Buffer> r) {
    assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, r.statusCode() + " " + r.bodyAsString());
    return assertShape(r.getHeader("Content-Type"), r.bodyAsString());
  }

  /**
   * A whole HTTP/1.x answer read off a socket ({@code Connection: close}, so the body is the rest): status line,
   * content type and body in the shape. Returns the {@code errors} object.
   */
  public static JsonObject assertRawError(String answer, int status) {
    assertTrue(answer.matches("(?s)HTTP/1\\.[01] " + status + " .*"), answer);
    int end = answer.indexOf("\r\n\r\n");
    assertTrue(end > 0, "no end of head in " + answer);
    String contentType = answer.substring(0, end).lines()
        .filter(line -> line.regionMatches(true, 0, "Content-Type:", 0, 13))
        .map(line -> line.substring(13).strip()).findFirst().orElse(null);
    return assertShape(contentType, answer.substring(end + 4));
  }

  /** The content type and body of an error answer, whatever its status; returns the {@code errors} object. */
  public static JsonObject assertShape(String contentType, String body) {
    assertEquals(JSON_UTF8, contentType, body);
    assertFalse(body.contains("Exception") || body.contains("\tat ") || body.contains("at surge."), "a stack trace in " + body);
    JsonObject errors;
    try {
      errors = new JsonObject(body).getJsonObject("errors");
    } catch (DecodeException | ClassCastException e) {
      throw new AssertionError("not a RealWorld error body: " + body, e);
    }
    assertNotNull(errors, "no errors object in " + body);
    assertFalse(errors.isEmpty(), body);
    errors.forEach(field -> {
      assertTrue(field.getValue() instanceof JsonArray messages && !messages.isEmpty(), "errors." + field.getKey() + " in " + body);
      ((JsonArray) field.getValue()).forEach(message -> assertTrue(message instanceof String, body));
    });
    return errors;
  }
}
