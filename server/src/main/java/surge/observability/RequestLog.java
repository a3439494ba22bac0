package surge.observability;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.http.HttpServerRequestInternal;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of every routed request: gives it a request id, binds the ids to its context (see
 * {@link RequestIds}) and writes the access log line when the response is done.
 *
 * <ul>
 *   <li>Request id: the incoming {@code X-Request-Id} when {@code log.trustRequestId} is on and the value is 1..64
 *       characters of {@code [A-Za-z0-9._:-]} (anything else could forge or break log lines), else 16 random hex
 *       digits. Always echoed in the response's {@code X-Request-Id}.</li>
 *   <li>Trace id: with a tracer installed, the id of the request's server span (which continues an incoming
 *       {@code traceparent}), also sent back as W3C {@code traceresponse}; without one, the trace id of a well-formed
 *       incoming {@code traceparent}, so lines still correlate with an upstream that traces.</li>
 *   <li>Access log (logger {@value #ACCESS_LOGGER}, INFO, {@code log.access}): method, route template (never the raw
 *       path: it carries user names and slugs, and its values are unbounded), status, duration, bytes sent; as the
 *       message and as key/value pairs (JSON fields). The request id and trace id come with every line.</li>
 * </ul>
 */
public final class RequestLog implements Handler<RoutingContext> {
  public static final String ACCESS_LOGGER = "surge.access";
  public static final CharSequence X_REQUEST_ID = HttpHeaders.createOptimized("X-Request-Id");
  private static final CharSequence TRACE_RESPONSE = HttpHeaders.createOptimized("traceresponse");
  private static final String TRACEPARENT = "traceparent";
  private static final Logger access = LoggerFactory.getLogger(ACCESS_LOGGER);
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final String ENTRY = "surge.accessEntry";
  private static final String IDS = "surge.requestIds";

  private final LogConfig config;
  private final boolean tracing;

  RequestLog(LogConfig config, boolean tracing) {
    this.config = config;
    this.tracing = tracing;
  }

  /**
   * Installs the handler ahead of every other route of {@code root}, and a route recorder ahead of every route of the
   * sub-routers mounted on it (so call it once the route table is complete).
   */
  public static void install(Vertx vertx, Router root, LogConfig config) {
    boolean tracing = vertx instanceof VertxInternal v && v.tracer() != null;
    root.route().order(Integer.MIN_VALUE).handler(new RequestLog(config, tracing));
    if (config.access()) recordRoutes(root, new HashSet<>());
  }

  /**
   * A sub-router's routes are invisible from the root's context (its current route is the mount): remember the
   * sub-router's context, whose current route at the end is the one that answered or failed.
   */
  private static void recordRoutes(Router router, Set<Router> seen) {
    for (Route route : router.getRoutes()) {
      Router sub = route.getSubRouter();
      if (sub == null || !seen.add(sub)) continue;
      sub.route().order(Integer.MIN_VALUE).handler(ctx -> {
        if (ctx.get(ENTRY) instanceof Entry entry) entry.routed = ctx;
        ctx.next();
      });
      recordRoutes(sub, seen);
    }
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    HttpServerResponse response = ctx.response();
    // A rerouted request (the /api/v1 alias) comes here twice; the reroute dropped its response headers and end
    // handlers, so they are set again, but it keeps the id and start time it got the first time.
    RequestIds ids = ctx.get(IDS);
    if (ids == null) {
      String id = config.trustRequestId() ? validRequestId(request.getHeader(X_REQUEST_ID)) : null;
      if (id == null) id = newRequestId();
      String traceId = tracing ? activeTraceId(response) : incomingTraceId(request.getHeader(TRACEPARENT));
      ids = new RequestIds(id, traceId);
      ctx.put(IDS, ids);
    }
    response.putHeader(X_REQUEST_ID, ids.requestId());
    RequestIds.bind(ids);
    if (config.access()) {
      Entry first = ctx.get(ENTRY);
      Entry entry = new Entry(request, first == null ? System.nanoTime() : first.start);
      ctx.put(ENTRY, entry);
      ctx.addHeadersEndHandler(v -> entry.route = routeOf(entry.routed == null ? ctx : entry.routed,
          response.getStatusCode()));
      ctx.addBodyEndHandler(v -> entry.log(response));
    }
    ctx.next();
  }

  /** One request's access-log line in the making. */
  private static final class Entry {
    final HttpServerRequest request;
    final long start;
    RoutingContext routed;
    String route = "-";

    Entry(HttpServerRequest request, long start) {
      this.request = request;
      this.start = start;
    }

    void log(HttpServerResponse response) {
      long micros = (System.nanoTime() - start) / 1000;
      // The response may be ended from another request's callback (a coalesced cache load): log on this one's context.
      ContextInternal own = request instanceof HttpServerRequestInternal r ? r.context() : null;
      if (own == null || Vertx.currentContext() == own) write(response, micros);
      else own.dispatch(v -> write(response, micros));
    }

    private void write(HttpServerResponse response, long micros) {
      String method = request.method().name();
      int status = response.getStatusCode();
      long bytes = response.bytesWritten();
      double ms = micros / 1000.0;
      access.atInfo()
          .addKeyValue("method", method).addKeyValue("route", route).addKeyValue("status", status)
          .addKeyValue("durationMs", ms).addKeyValue("bytes", bytes)
          .log("{} {} {} {}ms {}B", method, route, status, ms, bytes);
    }
  }

  /**
   * The template of the route that answered or failed, with its sub-router's mount point
   * ({@code /api/articles/:slug}); {@code unmatched} for a 404 no route took, else {@code <mount>/*} or {@code -}
   * for answers given before any route of known path (rate limit, body too large, CORS preflight).
   */
  static String routeOf(RoutingContext ctx, int status) {
    Route route = ctx.currentRoute();
    String path = route == null ? null : route.getPath(); // "/articles/:slug" (a regex-only route has none)
    String mount = ctx.mountPoint();
    if (mount != null && mount.endsWith("/")) mount = mount.substring(0, mount.length() - 1);
    if (path == null) return status == 404 ? "unmatched" : mount == null || mount.isEmpty() ? "-" : mount + "/*";
    return mount == null ? path : mount + path;
  }

  /** The request id a client (or proxy) sent, if safe to log as it is; else null. */
  static String validRequestId(String value) {
    if (value == null || value.isEmpty() || value.length() > 64) return null;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
          || c == '.' || c == ':';
      if (!ok) return null;
    }
    return value;
  }

  /** 16 random hex digits (64 bits): unique enough to find one request's lines among a day's. */
  static String newRequestId() {
    long bits = ThreadLocalRandom.current().nextLong();
    char[] out = new char[16];
    for (int i = 15; i >= 0; i--) {
      out[i] = HEX[(int) (bits & 0xF)];
      bits >>>= 4;
    }
    return new String(out);
  }

  /** The server span's trace id, also returned as {@code traceresponse}; null when this request is not traced. */
  private static String activeTraceId(HttpServerResponse response) {
    SpanContext span = Span.current().getSpanContext();
    if (!span.isValid()) return null;
    response.putHeader(TRACE_RESPONSE, "00-" + span.getTraceId() + "-" + span.getSpanId() + "-"
        + span.getTraceFlags().asHex());
    return span.getTraceId();
  }

  /** The trace id of a well-formed W3C {@code traceparent} ({@code 00-<32 hex>-<16 hex>-<2 hex>}), else null. */
  static String incomingTraceId(String traceparent) {
    if (traceparent == null || traceparent.length() < 55 || traceparent.charAt(2) != '-' || traceparent.charAt(35) != '-'
        || traceparent.charAt(52) != '-') return null;
    String traceId = traceparent.substring(3, 35);
    boolean zero = true;
    for (int i = 0; i < 32; i++) {
      char c = traceId.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) return null;
      zero &= c == '0';
    }
    return zero ? null : traceId;
  }
}
