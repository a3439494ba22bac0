package surge.web;

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
  /** One body's encoding; {@code etag} as {@link HttpCaching} computes it, or null when not computed yet. */
  public record Encoded(Buffer bytes, String etag) {}

  private static final Cache<JsonObject, Encoded> SHARED = Caffeine.newBuilder()
      .executor(Runnable::run) // upkeep on the calling thread, as TwoLevelCache's L1
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

  /** The encoding of {@code body}: the one kept for a {@link #shared} body, else encoded now (no ETag yet). */
  public static Encoded encoded(JsonObject body) {
    Encoded shared = of(body);
    return shared != null ? shared : new Encoded(body.toBuffer(), null);
  }

  /** Where each {@code "<field>":false} of a shared page starts, per field, in order of appearance. */
  private record Flags(java.util.List<String> fields, int[][] offsets) {}

  private static final Cache<JsonObject, Flags> FLAGS = Caffeine.newBuilder().executor(Runnable::run).weakKeys().maximumSize(50_000).build();

  /**
   * A shared page's encoding with some of its boolean fields set to true: {@code values[f][k]} for the k-th
   * {@code "<fields[f]>":false} of the page (a signed-in viewer's {@code favorited} per article, {@code following}
   * per author). One copy of the encoded bytes, patched in place: {@code false} becomes {@code true } (the space is
   * JSON whitespace), so no offset moves. The literal cannot occur inside a string value, where quotes are escaped.
   */
  public static Encoded flagged(JsonObject sharedBody, java.util.List<String> fields, boolean[]... values) {
    Encoded base = SHARED.get(sharedBody, EncodedJson::encode);
    Flags flags = FLAGS.get(sharedBody, body -> locate(base.bytes(), fields));
    if (!flags.fields().equals(fields)) flags = locate(base.bytes(), fields);
    byte[] bytes = null;
    StringBuilder etag = null;
    for (int f = 0; f < fields.size(); f++) {
      int valueAt = fields.get(f).length() + 3; // the quotes and the colon
      int[] at = flags.offsets()[f];
      java.util.BitSet set = new java.util.BitSet();
      for (int k = 0; k < at.length && k < values[f].length; k++) {
        if (!values[f][k]) continue;
        if (bytes == null) bytes = base.bytes().getBytes();
        System.arraycopy(TRUE_PADDED, 0, bytes, at[k] + valueAt, TRUE_PADDED.length);
        set.set(k);
      }
      if (etag == null) etag = new StringBuilder(base.etag().length() + 16).append(base.etag(), 0, base.etag().length() - 1);
      etag.append('-');
      for (long word : set.toLongArray()) etag.append(Long.toHexString(word)).append('.');
    }
    // The patched bytes are a function of the shared page and the flags set, so its ETag plus the flags is as strong
    // a validator as a digest of the bytes, without reading 1–20 kB again per response.
    return bytes == null ? base : new Encoded(Buffer.buffer(bytes), etag.append('"').toString());
  }

  private static final byte[] TRUE_PADDED = "true ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private static Flags locate(Buffer encoded, java.util.List<String> fields) {
    byte[] bytes = encoded.getBytes();
    int[][] offsets = new int[fields.size()][];
    for (int f = 0; f < fields.size(); f++) {
      byte[] needle = ("\"" + fields.get(f) + "\":false").getBytes(java.nio.charset.StandardCharsets.UTF_8);
      java.util.List<Integer> found = new java.util.ArrayList<>();
      for (int i = indexOf(bytes, needle, 0); i >= 0; i = indexOf(bytes, needle, i + needle.length)) found.add(i);
      offsets[f] = found.stream().mapToInt(Integer::intValue).toArray();
    }
    return new Flags(java.util.List.copyOf(fields), offsets);
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = from; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
      return i;
    }
    return -1;
  }

  private static Encoded encode(JsonObject body) {
    Buffer bytes = body.toBuffer();
    return new Encoded(bytes, HttpCaching.etag(bytes));
  }
}
