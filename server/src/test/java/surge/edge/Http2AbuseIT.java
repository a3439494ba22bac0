package surge.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Eventually;
import surge.support.TestNode;

/**
 * HTTP/2 abuse over TLS against a real node: a rapid-reset burst, more concurrent streams than allowed, a header list
 * that decodes far larger than it travels (HPACK bomb), and a window update that overflows the flow-control window.
 * Each costs the offender its streams (refused, or answered 431 and reset before any route) or its connection (GOAWAY);
 * an ordinary HTTP/2 client on another connection is served throughout.
 */
@ExtendWith(VertxExtension.class)
class Http2AbuseIT {
  static final int MAX_STREAMS = 10;
  static SelfSignedCertificate certificate;
  static TestNode.Started node;
  static WebClient ordinary;

  @BeforeAll
  static void start(Vertx vertx) {
    certificate = SelfSignedCertificate.create("localhost");
    node = TestNode.start(vertx, Map.of("tls.enabled", "true", "tls.certFile", certificate.certificatePath(),
        "tls.keyFile", certificate.privateKeyPath(), "edge.http2MaxConcurrentStreams", Integer.toString(MAX_STREAMS),
        "edge.http2MaxResetsPerWindow", "100", "edge.http2MaxHeaderListBytes", "8192", "events.relay", "false"));
    ordinary = WebClient.create(vertx, new WebClientOptions().setSsl(true).setDefaultHost("localhost")
        .setDefaultPort(node.port()).setTrustOptions(new PemTrustOptions().addCertPath(certificate.certificatePath()))
        .setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(true));
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
    if (certificate != null) certificate.delete();
  }

  @Test
  void aRapidResetBurstLosesItsConnection() throws Exception {
    try (H2Raw abuser = H2Raw.connect(node.port())) {
      abuser.rapidReset(1_000, abuser.get("/api/articles").method("POST").add("content-type", "application/json")
          .add("content-length", "100"));
      Http2Error why = abuser.goAway.get(10, TimeUnit.SECONDS);
      assertEquals(Http2Error.ENHANCE_YOUR_CALM, why);
      abuser.closed.get(10, TimeUnit.SECONDS);
    }
    assertOrdinaryClientServed();
  }

  @Test
  void streamsBeyondTheLimitAreRefused() throws Exception {
    try (H2Raw abuser = H2Raw.connect(node.port())) {
      // The node applies its stream limit once this side acknowledged its SETTINGS (ahead of the heads below on the
      // same connection); a real client would also honour the limit, this one will not.
      abuser.settled.get(10, TimeUnit.SECONDS);
      // POST heads with no body yet: each stream stays open on the node
      Http2Headers post = abuser.get("/api/users").method("POST").add("content-type", "application/json")
          .add("content-length", "100");
      for (int i = 0; i < 3 * MAX_STREAMS; i++) abuser.headers(post, false);
      abuser.flush();
      Eventually.until("streams over the limit refused", Duration.ofSeconds(10),
          () -> abuser.resets(Http2Error.REFUSED_STREAM) >= 2 * MAX_STREAMS
          || !abuser.open());
      assertTrue(abuser.resets(Http2Error.REFUSED_STREAM) >= 2 * MAX_STREAMS || abuser.goAway.isDone(),
          "refused: " + abuser.resets);
    }
    assertOrdinaryClientServed();
  }

  @Test
  void aHeaderListBombIsRefusedBeforeAnyRoute() throws Exception {
    try (H2Raw abuser = H2Raw.connect(node.port())) {
      // one 4,000-byte value repeated: HPACK sends it once and then a byte per repeat; decoded it is 200 kB
      Http2Headers bomb = abuser.get("/api/tags");
      String value = "b".repeat(4_000);
      for (int i = 0; i < 50; i++) bomb.add("x-bomb", value);
      abuser.headers(bomb, true);
      abuser.flush();
      Eventually.until("the bomb answered", Duration.ofSeconds(10), () -> abuser.goAway.isDone() || !abuser.resets.isEmpty()
          || !abuser.statuses.isEmpty() || !abuser.open());
      // Netty answers 431 on the stream when it could still decode the block, else GOAWAY: never the route
      System.out.println("edge: HPACK bomb answered with statuses " + abuser.statuses + ", resets " + abuser.resets
          + ", GOAWAY " + abuser.goAway.getNow(null));
      assertTrue(abuser.statuses.stream().allMatch("431"::equals), "no response but 431: " + abuser.statuses);
      assertTrue(abuser.goAway.isDone() || !abuser.statuses.isEmpty() || !abuser.resets.isEmpty());
    }
    assertOrdinaryClientServed();
  }

  @Test
  void aWindowUpdateOverflowLosesItsConnection() throws Exception {
    try (H2Raw abuser = H2Raw.connect(node.port())) {
      abuser.windowUpdate(0, Integer.MAX_VALUE); // 65,535 + 2^31-1 is past the largest window there is
      abuser.flush();
      assertEquals(Http2Error.FLOW_CONTROL_ERROR, abuser.goAway.get(10, TimeUnit.SECONDS));
      abuser.closed.get(10, TimeUnit.SECONDS);
    }
    assertOrdinaryClientServed();
  }

  static void assertOrdinaryClientServed() {
    long start = System.nanoTime();
    HttpResponse<io.vertx.core.buffer.Buffer> r = ordinary.get("/api/tags").send().await();
    assertEquals(200, r.statusCode());
    assertEquals(HttpVersion.HTTP_2, r.version());
    System.out.printf("edge: ordinary HTTP/2 client answered in %d ms%n", (System.nanoTime() - start) / 1_000_000);
  }
}
