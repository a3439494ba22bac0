package surge.core;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A failure the client caused or must know about, rendered once by {@link Errors} as
 * {@code {"errors":{"<field>":["<message>"]}}}. Carries no stack trace: these are outcomes, not bugs.
 */
public final class ApiError extends RuntimeException {
  private final int status;
  private final JsonObject errors;
  private final String retryAfterSeconds;

  private ApiError(int status, JsonObject errors, String retryAfterSeconds) {
    super(status + " " + errors.encode(), null, false, false);
    this.status = status;
    this.errors = errors;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public static ApiError of(int status, String field, String message) {
    return new ApiError(status, new JsonObject().put(field, new JsonArray().add(message)), null);
  }

  /** Several fields at once, e.g. every blank field of a form; {@code errors} maps field to a JsonArray. */
  public static ApiError unprocessable(JsonObject errors) {
    return new ApiError(422, errors, null);
  }

  public static ApiError badRequest(String field, String message) { return of(400, field, message); }
  public static ApiError blank(String field) { return of(422, field, "can't be blank"); }
  public static ApiError invalid(String field, String message) { return of(422, field, message); }
  public static ApiError taken(String field) { return of(409, field, "has already been taken"); }

  /** 409 naming several taken fields at once. */
  public static ApiError conflict(String[] fields) {
    JsonObject errors = new JsonObject();
    for (String field : fields) errors.put(field, new JsonArray().add("has already been taken"));
    return new ApiError(409, errors, null);
  }
  public static ApiError notFound(String what) { return of(404, what, "not found"); }
  public static ApiError forbidden(String what) { return of(403, what, "forbidden"); }
  public static ApiError missingToken() { return of(401, "token", "is missing"); }
  public static ApiError invalidToken() { return of(401, "token", "is invalid"); }
  public static ApiError badCredentials() { return of(401, "credentials", "invalid"); }

  /** An external issuer's token whose e-mail its issuer did not mark verified (matching by e-mail needs that). */
  public static ApiError unverifiedEmail() { return of(401, "token", "has no verified email"); }

  /** A valid external token whose identity no Surge account bears: accounts are not created on the fly. */
  public static ApiError noAccount() { return of(401, "token", "no Surge account for this identity"); }

  /** A dependency is down or saturated: the client may retry after the given delay. */
  public static ApiError unavailable(String what, int retryAfterSeconds) {
    return new ApiError(503, new JsonObject().put(what, new JsonArray().add("is unavailable, retry later")),
        Integer.toString(retryAfterSeconds));
  }

  /** 429: a rate-limit policy refused the request; it may be sent again after {@code retryAfterSeconds}. */
  public static ApiError rateLimited(long retryAfterSeconds) {
    return new ApiError(429, new JsonObject().put("rate", new JsonArray().add("limit exceeded, retry in "
        + retryAfterSeconds + " s")), Long.toString(retryAfterSeconds));
  }

  public int status() { return status; }

  /** The {@code Retry-After} value in seconds, or null when the error is not transient. */
  public String retryAfter() { return retryAfterSeconds; }

  public JsonObject body() { return new JsonObject().put("errors", errors); }
}
