package surge.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Consumer;

/**
 * Where the verification keys beyond Surge's own HS256 secrets come from: a JWK set file ({@code auth.jwksFile}) or
 * URL ({@code auth.jwksUrl}), never both. A source hands every new key set to the consumer it was made with and keeps
 * the last good set when a read or fetch fails.
 */
interface KeySource {

  /** The source named by the configuration, or null when it names none. */
  static KeySource of(Vertx vertx, AuthConfig config, Consumer<List<JsonObject>> publish) {
    if (!config.jwksUrl().isBlank()) return new JwksUrl(vertx, config, publish);
    if (!config.jwksFile().isBlank()) return new JwksFile(vertx, config, publish);
    return null;
  }

  /** Loads the first set and keeps it fresh from then on; completes once the first attempt is over, even a failed one. */
  Future<Void> open();

  /**
   * A token named a key this node does not have: the source may look for a newer set (rate-limited). Completes with
   * true once a newer set may be in use, false when the source did not look.
   */
  Future<Boolean> unknownKey();

  /** The operator view: source, location, last load, key count, last error. */
  KeySetStatus status();

  Future<Void> close();
}
