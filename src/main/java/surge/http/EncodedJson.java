package surge.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * Encoded bytes and ETag of response bodies that are served many times as the very same instance: the cached
 * anonymous list pages and tag list, which the list cache's L1 hands out unchanged to every reader. Encoding such a
 * page (1–20 kB of JSON) and hashing it for the ETag was the largest item of a cached read in the read-anon profile;
 * this does it once per cached instance.
 *
 * <p>Keyed by identity, weakly: an entry lives as long as the cache keeps its page, and a page that is not marked
 * here is encoded per response as before. A marked instance must never be changed afterwards (the list cache's
 * values are not). Vert.x heap buffers can be written to any number of responses, on any event loop.
 */
public final class EncodedJson {
  /** One page's encoding; {@code etag} as {@link HttpCaching} computes it. */
  record Encoded(Buffer bytes, String etag) {}

  private static final Cache<JsonObject, Encoded> SHARED = Caffeine.newBuilder()
      .weakKeys() // identity, and gone with the cached page
      .maximumSize(50_000)
      .build();

  private EncodedJson() {}

  /** Marks {@code body} as served unchanged from now on, encoding it once; returns it. */
  public static JsonObject shared(JsonObject body) {
    SHARED.get(body, EncodedJson::encode);
    return body;
  }

  /** The encoding of a body marked {@link #shared}; null for any other body. */
  static Encoded of(JsonObject body) {
    return SHARED.getIfPresent(body);
  }

  private static Encoded encode(JsonObject body) {
    Buffer bytes = body.toBuffer();
    return new Encoded(bytes, HttpCaching.etag(bytes));
  }
}
