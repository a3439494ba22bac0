package surge.auth;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * What an operator needs to see of the external key set: where it comes from, when it was last loaded, how many keys
 * are in use, and why the last attempt failed (null when it did not). Immutable: sources swap a whole new one in.
 *
 * @param source {@code file}, {@code url} or {@code none}
 * @param location the file path or URL
 * @param loadedAt the last successful read or fetch, null before the first
 * @param attemptedAt the last attempt, successful or not, null before the first
 * @param keys the keys in use
 * @param lastError why the last attempt failed; null when it succeeded
 * @param failures attempts that failed in a row
 */
record KeySetStatus(String source, String location, Instant loadedAt, Instant attemptedAt, int keys, String lastError,
                    int failures) {
  static final KeySetStatus NONE = new KeySetStatus("none", "", null, null, 0, null, 0);

  static KeySetStatus initial(String source, String location) {
    return new KeySetStatus(source, location, null, null, 0, null, 0);
  }

  KeySetStatus loaded(int keyCount) {
    Instant now = Instant.now();
    return new KeySetStatus(source, location, now, now, keyCount, null, 0);
  }

  KeySetStatus failed(String error) {
    return new KeySetStatus(source, location, loadedAt, Instant.now(), keys, error, failures + 1);
  }

  JsonObject toJson() {
    return new JsonObject().put("source", source).put("location", location)
        .put("loadedAt", loadedAt == null ? null : loadedAt.toString())
        .put("attemptedAt", attemptedAt == null ? null : attemptedAt.toString())
        .put("keys", keys).put("lastError", lastError).put("failures", failures);
  }
}
