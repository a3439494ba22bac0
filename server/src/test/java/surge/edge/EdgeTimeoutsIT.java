package surge.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import surge.edge.ConnectionGuard.Closing;
import surge.support.Client;
import surge.support.ErrorShape;
import surge.support.Eventually;
import surge.support.SseClient;
import surge.support.TestNode;

/**
 * Hostile clients against a real node, one phase each: a head sent byte by byte (slowloris), a body that trickles or
 * stops, connections that idle between requests or never send a byte, oversized and malformed heads. Each is closed
 * within its bound while an ordinary client on other connections keeps being answered (latency printed, not timed);
 * a live stream outlives every bound; afterwards no descriptor is left over; the log says each kind once.
 */
@ExtendWith(VertxExtension.class)
class EdgeTimeoutsIT {
  static final int HEAD_MS = 1000;
  static final int IDLE_MS = 2000;
  static final int BODY_IDLE_MS = 1000;
  /** a bound is enforced by a sweep each second: closed within bound + sweep + scheduling slack on a busy machine */
  static final long SLACK_MS = 3000;
  static TestNode.Started node;
  static ListAppender<ILoggingEvent> edgeLog;

  @BeforeAll
  static void start(Vertx vertx) {
    Logger logger = (Logger) LoggerFactory.getLogger("surge.edge");
    edgeLog = new ListAppender<>();
    edgeLog.start();
    logger.addAppender(edgeLog);
    node = TestNode.start(vertx, Map.of("edge.headTimeoutMs", Integer.toString(HEAD_MS),
        "edge.idleTimeoutMs", Integer.toString(IDLE_MS), "edge.bodyIdleTimeoutMs", Integer.toString(BODY_IDLE_MS),
        "edge.bodyMinBytesPerSecond", "1000", "stream.heartbeatMs", "1000", "events.relay", "false"));
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
    ((Logger) LoggerFactory.getLogger("surge.edge")).detachAppender(edgeLog);
  }

  ConnectionGuard guard() {
    return node.node().services().edge();
  }

  @Test
  void aHeadSentByteByByteIsClosedAtItsBoundWhileOthersAreServed() throws Exception {
    long before = guard().closed(Closing.HEAD_TIMEOUT);
    List<Socket> slow = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Socket s = Raw.connect("127.0.0.2", node.port());
      Raw.send(s, "GET /api/tags HTTP/1.1\r\nHost: localhost\r\n");
      slow.add(s);
    }
    long start = System.currentTimeMillis();
    // keep every head growing, a byte per 200 ms, as slowloris does: bytes keep coming but the head never ends
    for (int round = 0; round < 5; round++) {
      for (Socket s : slow) {
        try {
          Raw.send(s, "X");
        } catch (java.io.IOException closed) {
          // closed by the node already
        }
      }
      assertOrdinaryClientServed();
      Eventually.pause(200); // the slowloris pace under test, not a wait
    }
    for (Socket s : slow) assertTrue(Raw.closedWithin(s, HEAD_MS + SLACK_MS - (System.currentTimeMillis() - start)), "slow head closed");
    System.out.printf("edge: 50 slowloris heads closed within %d ms of their first byte%n", System.currentTimeMillis() - start);
    assertTrue(guard().closed(Closing.HEAD_TIMEOUT) - before >= 50);
    Raw.closeAll(slow);
  }

  @Test
  void aBodyThatTricklesOrStopsIsClosed() throws Exception {
    long before = guard().closed(Closing.BODY_SLOW);
    String head = "POST /api/users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n";
    Socket trickle = Raw.connect("127.0.0.3", node.port());
    Socket stopped = Raw.connect("127.0.0.3", node.port());
    Raw.send(trickle, head);
    Raw.send(stopped, head + "{\"user\":");
    long start = System.currentTimeMillis();
    boolean trickleOpen = true;
    // 20 bytes every 250 ms = 80 B/s, under the 1,000 B/s minimum; it never pauses long enough for the idle bound.
    // The loop is the trickling client itself (its pace is the behaviour under test), so it is no Eventually.
    while (trickleOpen && System.currentTimeMillis() - start < BODY_IDLE_MS + SLACK_MS + 2000) {
      try {
        Raw.send(trickle, "                    ");
      } catch (java.io.IOException closed) {
        trickleOpen = false;
      }
      if (trickleOpen) trickleOpen = !Raw.closedWithin(trickle, 250);
    }
    assertFalse(trickleOpen, "a body under the minimum rate is cut off");
    assertTrue(Raw.closedWithin(stopped, BODY_IDLE_MS + SLACK_MS), "a body that stopped is cut off");
    System.out.printf("edge: trickling and stopped bodies closed within %d ms%n", System.currentTimeMillis() - start);
    assertTrue(guard().closed(Closing.BODY_SLOW) - before >= 2);
    Raw.closeAll(List.of(trickle, stopped));
    assertOrdinaryClientServed();
  }

  @Test
  void aBodyAtAnOrdinaryPaceIsServed() throws Exception {
    try (Socket s = Raw.connect("127.0.0.1", node.port())) {
      String body = "{\"user\":{\"username\":\"" + Client.unique("pace") + "\",\"email\":\"" + Client.unique("pace")
          + "@example.com\",\"password\":\"a-long-enough-password\"}}";
      Raw.send(s, "POST /api/users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nConnection: close\r\n"
          + "Content-Length: " + body.length() + "\r\n\r\n");
      // a client pausing under the body bound between parts, all within the grace before the rate counts, is fine
      int third = body.length() / 3;
      Raw.send(s, body.substring(0, third));
      Eventually.pause(BODY_IDLE_MS / 4); // the client's pause under test, not a wait
      Raw.send(s, body.substring(third, 2 * third));
      Eventually.pause(BODY_IDLE_MS / 4); // the client's pause under test, not a wait
      Raw.send(s, body.substring(2 * third));
      s.setSoTimeout(15_000);
      String answer = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
      assertTrue(answer.startsWith("HTTP/1.1 201") || answer.startsWith("HTTP/1.1 200"), answer);
    }
  }

  @Test
  void idleKeepAliveAndSilentConnectionsAreClosedAfterTheIdleBound() throws Exception {
    long before = guard().closed(Closing.IDLE_TIMEOUT);
    List<Socket> idle = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      Socket s = Raw.connect("127.0.0." + (10 + i % 5), node.port());
      if (i % 2 == 0) Raw.send(s, "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n"); // then keep it alive, idle
      idle.add(s);
    }
    long start = System.currentTimeMillis();
    assertOrdinaryClientServed();
    for (Socket s : idle) {
      assertTrue(Raw.closedWithin(s, Math.max(100, IDLE_MS + SLACK_MS + 2000 - (System.currentTimeMillis() - start))),
          "idle connection closed");
    }
    System.out.printf("edge: 1,000 idle connections closed within %d ms%n", System.currentTimeMillis() - start);
    assertTrue(guard().closed(Closing.IDLE_TIMEOUT) - before >= 1000);
    Raw.closeAll(idle);
  }

  @Test
  void aLiveStreamOutlivesEveryBound(Vertx vertx) {
    String token = new Client(vertx, node.port()).register("edge").getString("token");
    try (SseClient stream = SseClient.open(vertx, node.port(), token)) {
      assertEquals(200, stream.status());
      // Reads for longer than every bound: the window is the behaviour under test, not a wait.
      long end = System.currentTimeMillis() + IDLE_MS + HEAD_MS + SLACK_MS;
      int frames = 0;
      while (System.currentTimeMillis() < end) {
        stream.nextFrame(Duration.ofSeconds(5));
        frames++;
      }
      assertTrue(frames >= 3, "heartbeats kept coming: " + frames);
      assertTrue(guard().inState(ConnectionTracker.State.STREAMING) >= 1, "counted as streaming");
    }
  }

  @Test
  void oversizedAndMalformedHeadsAreAnsweredAndClosed() throws Exception {
    try (Socket big = Raw.connect("127.0.0.4", node.port())) {
      Raw.send(big, "GET /api/tags HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
      big.setSoTimeout(10_000);
      String answer = new String(big.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
      ErrorShape.assertRawError(answer, 431);
    }
    try (Socket junk = Raw.connect("127.0.0.4", node.port())) {
      Raw.send(junk, "\u0001\u0002 NOT HTTP \u0000\r\n\r\n");
      junk.setSoTimeout(10_000);
      String answer = new String(junk.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
      ErrorShape.assertRawError(answer, 400);
    }
    assertOrdinaryClientServed();
  }

  @Test
  void afterwardsNoDescriptorIsLeftAndEachKindWasLoggedOnce() throws Exception {
    int baselineOpen = guard().open();
    int baselineFiles = Raw.openFiles();
    List<Socket> hostile = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      Socket s = Raw.connect("127.0.0.5", node.port());
      if (i % 2 == 0) Raw.send(s, "GET / HTTP/1.1\r\n");
      hostile.add(s);
    }
    for (Socket s : hostile) assertTrue(Raw.closedWithin(s, IDLE_MS + SLACK_MS + 2000));
    Raw.closeAll(hostile);
    Eventually.until("the node's connection count back at its baseline", Duration.ofSeconds(10),
        () -> guard().open() <= baselineOpen);
    Eventually.until("descriptors back at their baseline", Duration.ofSeconds(10),
        () -> Raw.openFiles() <= baselineFiles + 5);
    for (String kind : List.of("head_timeout", "idle_timeout")) {
      long warnings = edgeLog.list.stream()
          .filter(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains("(" + kind))
          .count();
      assertTrue(warnings >= 1 && warnings <= 2, kind + " logged " + warnings + " times for hundreds of closings");
      assertTrue(edgeLog.list.stream().noneMatch(e -> e.getThrowableProxy() != null), "no stack trace");
    }
  }

  @Test
  void theOperatorViewCountsConnectionsByState(Vertx vertx) throws Exception {
    try (Socket head = Raw.connect("127.0.0.6", node.port()); Socket silent = Raw.connect("127.0.0.6", node.port())) {
      Raw.send(head, "GET /api/tags HTTP/1.1\r\n");
      Eventually.until("a connection reading its head", Duration.ofSeconds(5),
          () -> guard().inState(ConnectionTracker.State.READING_HEAD) >= 1);
      var view = new Client(vertx, node.port()).get("/health/edge").bodyAsJsonObject();
      assertTrue(view.getJsonObject("byState").getInteger("reading_head") >= 1, view.encode());
      assertTrue(view.getJsonObject("byState").getInteger("idle") >= 1, view.encode());
      assertTrue(view.getInteger("maxConnections") > 0, "a budget derived from the open-files limit: " + view.encode());
      assertEquals(1000, view.getInteger("maxConnectionsPerAddress"));
    }
  }

  static void assertOrdinaryClientServed() throws java.io.IOException {
    Raw.Answer a = Raw.get("127.0.0.1", node.port(), "/api/tags");
    assertEquals(200, a.status(), a.head());
    System.out.printf("edge: ordinary client answered in %d ms%n", a.millis());
  }
}
