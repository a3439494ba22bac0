package surge.server;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import surge.edge.EdgeLimits;

/**
 * What the edge of a node looks like to the network: the listening options (TLS, HTTP/2, request size limits),
 * the security headers of every response, and the plain-HTTP redirect to HTTPS.
 */
final class Edge {
  /** The API answers JSON; nothing it sends should ever be framed, sniffed or run as a page. */
  private static final CharSequence CSP = HttpHeaders.createOptimized("default-src 'none'; frame-ancestors 'none'; base-uri 'none'");
  private static final CharSequence NOSNIFF = HttpHeaders.createOptimized("nosniff");
  private static final CharSequence NO_REFERRER = HttpHeaders.createOptimized("no-referrer");
  private static final CharSequence DENY = HttpHeaders.createOptimized("DENY");
  private static final CharSequence CONTENT_SECURITY_POLICY = HttpHeaders.createOptimized("Content-Security-Policy");
  private static final CharSequence X_CONTENT_TYPE_OPTIONS = HttpHeaders.createOptimized("X-Content-Type-Options");
  private static final CharSequence REFERRER_POLICY = HttpHeaders.createOptimized("Referrer-Policy");
  private static final CharSequence X_FRAME_OPTIONS = HttpHeaders.createOptimized("X-Frame-Options");
  private static final CharSequence STRICT_TRANSPORT_SECURITY = HttpHeaders.createOptimized("Strict-Transport-Security");

  private Edge() {}

  static HttpServerOptions serverOptions(HttpConfig http, TlsConfig tls, EdgeLimits edge) {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(http.host())
        .setPort(http.port())
        .setTcpNoDelay(true)
        .setTcpFastOpen(true)
        // a connection flood must not overflow the listen queue, or ordinary clients' SYNs are dropped and retried
        // seconds later: as deep as the kernel allows by default (somaxconn), refusals at accept keep it draining
        .setAcceptBacklog(edge.acceptBacklog())
        .setMaxHeaderSize(http.maxHeaderBytes())
        .setMaxInitialLineLength(http.maxUriBytes())
        // No cleartext HTTP/2 (h2c): HTTP/2 comes with TLS through ALPN. It also means a connection is an HTTP
        // connection from its first moment, not after its first bytes (the connection cap counts it at once).
        .setHttp2ClearTextEnabled(false)
        // GraphQL subscriptions: the handshake accepts the one subprotocol they speak (surge.graphql.GraphqlSockets)
        .setWebSocketSubProtocols(java.util.List.of(surge.graphql.GraphqlSockets.PROTOCOL));
    if (!tls.enabled()) return options;
    options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certFile()).setKeyPath(tls.keyFile()))
        // the handshake comes before the connection handler: this bounds a client that opens TLS and never finishes it
        .setSslHandshakeTimeout(edge.tlsHandshakeTimeoutMs()).setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS)
        .setInitialSettings(new Http2Settings()
            .setMaxConcurrentStreams(edge.http2MaxConcurrentStreams())
            .setMaxHeaderListSize(edge.http2MaxHeaderListBytes())
            .setInitialWindowSize(edge.http2WindowBytes()))
        // CVE-2023-44487: a client resetting streams as fast as it opens them loses its connection
        .setHttp2RstFloodMaxRstFramePerWindow(edge.http2MaxResetsPerWindow())
        .setHttp2RstFloodWindowDuration(edge.http2ResetWindowMs())
        .setHttp2RstFloodWindowDurationTimeUnit(TimeUnit.MILLISECONDS);
    if (tls.http2()) options.setUseAlpn(true).setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1));
    return options;
  }

  /** Adds the security headers to every response (HSTS only over HTTPS). */
  static Handler<RoutingContext> securityHeaders(TlsConfig tls) {
    CharSequence hsts = tls.enabled() && tls.hstsSeconds() > 0
        ? HttpHeaders.createOptimized("max-age=" + tls.hstsSeconds() + "; includeSubDomains") : null;
    return ctx -> {
      MultiMap headers = ctx.response().headers();
      headers.add(X_CONTENT_TYPE_OPTIONS, NOSNIFF)
          .add(REFERRER_POLICY, NO_REFERRER)
          .add(X_FRAME_OPTIONS, DENY)
          .add(CONTENT_SECURITY_POLICY, CSP);
      if (hsts != null) headers.add(STRICT_TRANSPORT_SECURITY, hsts);
      ctx.next();
    };
  }

  /** The plain-HTTP listener's only answer: the same URI over HTTPS, method and body kept (308). */
  static Handler<HttpServerRequest> redirectToHttps(int httpsPort) {
    return request -> {
      String host = request.authority() == null ? "localhost" : request.authority().host();
      String location = "https://" + host + (httpsPort == 443 ? "" : ":" + httpsPort) + request.uri();
      request.response().setStatusCode(308).putHeader(HttpHeaders.LOCATION, location)
          .putHeader(HttpHeaders.CONTENT_LENGTH, "0").end();
    };
  }
}
