package surge.graphql;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import surge.cache.Caches;
import surge.cache.TwoLevelCache;
import surge.config.ConfigException;

/**
 * Automatic persisted queries (Apollo's protocol, {@code extensions.persistedQuery = {version: 1, sha256Hash}}): a
 * client sends a query's hash alone; the first time, it is told {@code PERSISTED_QUERY_NOT_FOUND} and sends hash and
 * text, which registers the text under its hash in the two-level cache (L1 here, L2 in Redis, so every node knows it).
 * From then on a query is a short {@code GET /graphql?extensions=…&variables=…}, which HTTP caches keep like a REST
 * GET. An entry is addressed by its content, so it never goes stale and needs no invalidation. With an allow-list
 * ({@code graphql.allowListFile}) only the listed operations run and nothing is registered.
 */
final class PersistedQueries {
  private final boolean enabled;
  private final TwoLevelCache<JsonObject> registered;
  /** Hash → query of the allow-list; null without one. */
  private final Map<String, String> allowed;

  private PersistedQueries(boolean enabled, TwoLevelCache<JsonObject> registered, Map<String, String> allowed) {
    this.enabled = enabled;
    this.registered = registered;
    this.allowed = allowed;
  }

  /** Reads the allow-list file, if any: call off the event loop. */
  static PersistedQueries create(GraphqlLimits limits, Caches caches) {
    Map<String, String> allowed = limits.allowListFile().isEmpty() ? null : load(Path.of(limits.allowListFile()));
    TwoLevelCache<JsonObject> cache = caches == null ? null
        : caches.contentAddressed("pq", limits.persistedQueryTtlMs(), 10_000);
    return new PersistedQueries(limits.persistedQueries() || allowed != null, cache, allowed);
  }

  private static Map<String, String> load(Path file) {
    JsonObject list;
    try {
      list = new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      throw ConfigException.key("graphql.allowListFile", "cannot read " + file
          + " as a JSON object of sha256 → query (" + e.getMessage() + ")");
    }
    Map<String, String> out = new HashMap<>();
    for (String hash : list.fieldNames()) {
      Object query = list.getValue(hash);
      if (!(query instanceof String text) || !sha256(text).equals(hash.toLowerCase(java.util.Locale.ROOT))) {
        throw ConfigException.key("graphql.allowListFile", "the entry " + hash
            + " of " + file + " is not the SHA-256 of its query");
      }
      out.put(hash.toLowerCase(java.util.Locale.ROOT), text);
    }
    return out;
  }

  /**
   * The query to run: the request's own text (checked against its hash, and against the allow-list when there is one),
   * or the text its hash names. Fails with a {@link QueryCheck.Refused} for the client.
   */
  Future<String> resolve(GraphqlRequest request) {
    String hash = hashOf(request.extensions());
    if (hash == null) {
      if (allowed != null && (request.query() == null || !allowed.containsKey(sha256(request.query())))) {
        return Future.failedFuture(new QueryCheck.Refused("PERSISTED_QUERY_NOT_ALLOWED",
            "only the operations of the allow-list run on this server", null));
      }
      return Future.succeededFuture(request.query());
    }
    if (!enabled) return refused("PERSISTED_QUERY_NOT_SUPPORTED", "PersistedQueryNotSupported");
    if (request.query() != null) {
      if (!sha256(request.query()).equals(hash)) {
        return refused("PERSISTED_QUERY_HASH_MISMATCH", "the query's SHA-256 is not extensions.persistedQuery.sha256Hash");
      }
      if (allowed != null && !allowed.containsKey(hash)) {
        return refused("PERSISTED_QUERY_NOT_ALLOWED", "only the operations of the allow-list run on this server");
      }
      return Future.succeededFuture(request.query());
    }
    if (allowed != null) {
      String listed = allowed.get(hash);
      return listed != null ? Future.succeededFuture(listed)
          : refused("PERSISTED_QUERY_NOT_ALLOWED", "only the operations of the allow-list run on this server");
    }
    if (registered == null) return refused("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound");
    return registered.get(hash, false, () -> Future.succeededFuture(null)).compose(found -> found == null
        ? refused("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
        : Future.succeededFuture(found.getString("query")));
  }

  /**
   * Registers a request's text under its hash once the document passed every check (so nothing unrunnable is kept).
   * The cache keeps what it loaded; the fill to Redis is SET NX and not waited for.
   */
  void register(GraphqlRequest request) {
    String hash = hashOf(request.extensions());
    if (hash == null || request.query() == null || allowed != null || registered == null) return;
    registered.get(hash, false, () -> Future.succeededFuture(new JsonObject().put("query", request.query())));
  }

  /** {@code extensions.persistedQuery.sha256Hash}, lower-cased; null without one. */
  private static String hashOf(JsonObject extensions) {
    JsonObject pq = extensions == null ? null : extensions.getJsonObject("persistedQuery");
    if (pq == null) return null;
    Object version = pq.getValue("version");
    Object hash = pq.getValue("sha256Hash");
    if (!(version instanceof Number v) || v.intValue() != 1 || !(hash instanceof String h) || !h.matches("[0-9a-fA-F]{64}")) {
      throw new QueryCheck.Refused("BAD_REQUEST",
          "extensions.persistedQuery must be {\"version\": 1, \"sha256Hash\": \"<64 hex digits>\"}", null);
    }
    return h.toLowerCase(java.util.Locale.ROOT);
  }

  private static <T> Future<T> refused(String code, String message) {
    return Future.failedFuture(new QueryCheck.Refused(code, message, null));
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
