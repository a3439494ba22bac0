package surge.web;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * HTTP caching of successful GET responses, applied in the one response path ({@link Respond}):
 * <ul>
 *   <li>a strong {@code ETag} from the body's bytes (CRC-32C and CRC-32, 64 bits), and {@code 304}
 *       with no body when {@code If-None-Match} names it (or is {@code *});</li>
 *   <li>{@code Cache-Control: public, max-age=0, must-revalidate, s-maxage=<http.cacheMaxAgeSeconds>} and
 *       {@code Vary: Authorization} on anonymous responses under {@code /api}, which are the same for every
 *       anonymous client. A browser's own cache must revalidate before every use (RFC 9111 §5.2.2.1 and
 *       §5.2.2.2), so after a write it never shows the old page — the ETag makes the check a 304 — while a
 *       shared cache (CDN, NGINX) may keep the page for the configured seconds ({@code s-maxage} applies to
 *       shared caches only, §5.2.2.10);</li>
 *   <li>{@code Cache-Control: private, no-cache} on responses to signed-in requests (they carry the
 *       viewer's {@code favorited}/{@code following} or their own account): no shared cache keeps them,
 *       and the browser may keep them only to revalidate with the ETag each time, so it never shows a
 *       stale copy yet saves the body when nothing changed. ({@code no-store} would forbid that
 *       revalidation without protecting anything more: the response is the viewer's own.)</li>
 *   <li>{@code no-store} on {@code /health/*}.</li>
 * </ul>
 * Errors, 201 and 204 carry none of these.
 */
public final class HttpCaching {
  private static final String MAX_AGE = "surge.httpMaxAge";
  private static final CharSequence PRIVATE = HttpHeaders.createOptimized("private, no-cache");
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");
  private static final CharSequence AUTHORIZATION = HttpHeaders.createOptimized("Authorization");

  private HttpCaching() {}

  /** Route handler that records the node's shared-cache lifetime for {@link #ok}. */
  public static Handler<RoutingContext> policy(int maxAgeSeconds) {
    CharSequence value = HttpHeaders.createOptimized(maxAgeSeconds > 0
        ? "public, max-age=0, must-revalidate, s-maxage=" + maxAgeSeconds : "public, no-cache");
    return ctx -> {
      ctx.put(MAX_AGE, value);
      ctx.next();
    };
  }

  /**
   * Writes a 200 response; for GET with the caching headers, or a 304 when the client's copy is current.
   * {@code knownEtag}: the body's ETag when it was computed before (see {@link EncodedJson}), else null.
   */
  public static void ok(RoutingContext ctx, Buffer body, String knownEtag) {
    HttpServerResponse response = ctx.response();
    if (!ctx.request().method().equals(HttpMethod.GET)) {
      Respond.write(response.setStatusCode(200), body);
      return;
    }
    String etag = knownEtag != null ? knownEtag : etag(body);
    response.putHeader(HttpHeaders.ETAG, etag).putHeader(HttpHeaders.CACHE_CONTROL, cacheControl(ctx));
    if (AuthHandler.userId(ctx) == null) response.putHeader(HttpHeaders.VARY, AUTHORIZATION);
    if (matches(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH), etag)) {
      response.setStatusCode(304).end();
      return;
    }
    Respond.write(response.setStatusCode(200), body);
  }

  private static CharSequence cacheControl(RoutingContext ctx) {
    String path = ctx.request().path();
    if (path == null || !(path.startsWith("/api/") || path.equals("/graphql"))) return NO_STORE;
    CharSequence publicValue = ctx.get(MAX_AGE);
    return AuthHandler.userId(ctx) == null && publicValue != null ? publicValue : PRIVATE;
  }

  public static String etag(Buffer body) {
    byte[] bytes = body.getBytes();
    CRC32C c = new CRC32C();
    c.update(bytes);
    CRC32 d = new CRC32();
    d.update(bytes);
    return String.format("\"%08x%08x\"", c.getValue(), d.getValue());
  }

  /** If-None-Match: a list of entity tags (weak comparison, so {@code W/"x"} matches {@code "x"}) or {@code *}. */
  static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null) return false;
    for (String candidate : ifNoneMatch.split(",")) {
      String tag = candidate.trim();
      if (tag.equals("*")) return true;
      if (tag.startsWith("W/")) tag = tag.substring(2);
      if (tag.equals(etag)) return true;
    }
    return false;
  }
}
