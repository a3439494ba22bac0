package surge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.ErrorShape;
import surge.support.Ports;
import surge.support.TestNode;

/**
 * The edge of a node: HTTPS with a certificate made for this test (HTTP/2 through ALPN, HSTS, the plain-HTTP
 * redirect), security headers on every response, CORS with credentials only for listed origins, request line and
 * header size limits.
 */
@ExtendWith(VertxExtension.class)
class EdgeSecurityIT {
  static SelfSignedCertificate certificate;
  static TestNode.Started tls;
  static TestNode.Started plain;
  static int redirectPort;
  static WebClient https;
  static WebClient http;

  @BeforeAll
  static void start(Vertx vertx) {
    certificate = SelfSignedCertificate.create("localhost");
    // The redirect port is named in advance (0 there means "no redirect"), so it comes from the shared allocator.
    tls = Ports.retrying(1, ports -> {
      redirectPort = ports.get(0);
      return TestNode.start(vertx, Map.of("tls.enabled", "true", "tls.certFile", certificate.certificatePath(),
          "tls.keyFile", certificate.privateKeyPath(), "tls.redirectPort", Integer.toString(redirectPort)));
    });
    plain = TestNode.start(vertx, Map.of("http.corsOrigins", "https://app.example.com",
        "http.corsCredentials", "true", "http.maxUriBytes", "512", "http.maxHeaderBytes", "2048"));
    https = WebClient.create(vertx, new WebClientOptions().setSsl(true).setDefaultHost("localhost")
        .setDefaultPort(tls.port()).setTrustOptions(new PemTrustOptions().addCertPath(certificate.certificatePath()))
        .setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(true));
    http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setFollowRedirects(false));
  }

  @AfterAll
  static void stop() {
    if (tls != null) tls.stop();
    if (plain != null) plain.stop();
    if (certificate != null) certificate.delete();
  }

  @Test
  void httpsServesHttp2WithHstsAndSecurityHeaders() {
    HttpResponse<Buffer> r = https.get("/api/tags").send().await();
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(HttpVersion.HTTP_2, r.version(), "ALPN chose HTTP/2");
    assertEquals("max-age=31536000; includeSubDomains", r.getHeader("Strict-Transport-Security"));
    assertSecurityHeaders(r);
  }

  @Test
  void httpsStillServesHttp11ToClientsWithoutAlpn(Vertx vertx) {
    WebClient http11 = WebClient.create(vertx, new WebClientOptions().setSsl(true).setDefaultHost("localhost")
        .setDefaultPort(tls.port()).setTrustOptions(new PemTrustOptions().addCertPath(certificate.certificatePath())));
    HttpResponse<Buffer> r = http11.get("/api/tags").send().await();
    assertEquals(200, r.statusCode());
    assertEquals(HttpVersion.HTTP_1_1, r.version());
  }

  @Test
  void plainHttpOnTheTlsPortFailsAndTheRedirectPortSendsToHttps() {
    assertThrows(RuntimeException.class, () -> http.get(tls.port(), "127.0.0.1", "/api/tags").send().await());
    HttpResponse<Buffer> r = http.request(HttpMethod.POST, redirectPort, "127.0.0.1", "/api/users/login?x=1").send().await();
    assertEquals(308, r.statusCode(), "method and body kept");
    assertEquals("https://127.0.0.1:" + tls.port() + "/api/users/login?x=1", r.getHeader("Location"));
  }

  @Test
  void everyResponseCarriesTheSecurityHeadersAndNoHstsWithoutTls() {
    HttpResponse<Buffer> ok = http.get(plain.port(), "127.0.0.1", "/api/tags").send().await();
    assertEquals(200, ok.statusCode());
    assertSecurityHeaders(ok);
    assertNull(ok.getHeader("Strict-Transport-Security"), "HSTS only over HTTPS");
    HttpResponse<Buffer> missing = http.get(plain.port(), "127.0.0.1", "/api/nothing-here").send().await();
    assertEquals(404, missing.statusCode());
    assertSecurityHeaders(missing);
  }

  @Test
  void corsWithCredentialsAnswersListedOriginsOnly() {
    HttpResponse<Buffer> listed = preflight("https://app.example.com");
    assertEquals("https://app.example.com", listed.getHeader("Access-Control-Allow-Origin"));
    assertEquals("true", listed.getHeader("Access-Control-Allow-Credentials"));
    HttpResponse<Buffer> other = preflight("https://evil.example.com");
    assertNull(other.getHeader("Access-Control-Allow-Origin"), "an origin not listed gets no grant");
    ErrorShape.assertError(other, 403);
  }

  @Test
  void overlongRequestLineAndHeadersAreRefusedWithJson() {
    HttpResponse<Buffer> uri = http.get(plain.port(), "127.0.0.1", "/api/articles?tag=" + "x".repeat(600)).send().await();
    ErrorShape.assertError(uri, 414);
    HttpResponse<Buffer> headers = http.get(plain.port(), "127.0.0.1", "/api/tags").putHeader("X-Big", "y".repeat(3000))
        .send().await();
    ErrorShape.assertError(headers, 431);
  }

  private static HttpResponse<Buffer> preflight(String origin) {
    return http.request(HttpMethod.OPTIONS, plain.port(), "127.0.0.1", "/api/articles")
        .putHeader("Origin", origin).putHeader("Access-Control-Request-Method", "POST").send().await();
  }

  private static void assertSecurityHeaders(HttpResponse<Buffer> r) {
    assertEquals("nosniff", r.getHeader("X-Content-Type-Options"));
    assertEquals("no-referrer", r.getHeader("Referrer-Policy"));
    assertEquals("DENY", r.getHeader("X-Frame-Options"));
    assertEquals("default-src 'none'; frame-ancestors 'none'; base-uri 'none'", r.getHeader("Content-Security-Policy"));
  }
}
