package surge.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Client;
import surge.support.ErrorShape;
import surge.support.Eventually;
import surge.support.LiveEnvelopes;
import surge.support.SseClient;
import surge.support.TestNode;

/** The node's stream limits: {@code stream.maxConnections} and the send-buffer bound that drops slow clients. */
@ExtendWith(VertxExtension.class)
class StreamLimitsIT {
  static final int MAX_BUFFER = 16 * 1024;
  static Vertx vertx;
  static TestNode.Started node;
  static Client client;

  @BeforeAll
  static void start(Vertx v) {
    vertx = v;
    // one stream per node; a small send buffer; a small ring, as the slow-client test publishes big events
    node = TestNode.start(vertx, Map.of("stream.maxConnections", "1", "stream.maxBufferBytes", Integer.toString(MAX_BUFFER),
        "stream.replayEvents", "8"));
    client = new Client(vertx, node.port());
  }

  @AfterAll
  static void stop() {
    node.stop();
  }

  static JsonObject health() {
    HttpResponse<Buffer> r = client.get("/health/stream");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  @BeforeEach
  void noStreamOpen() {
    Eventually.value("no stream of an earlier test still counted", Duration.ofSeconds(5), Duration.ofMillis(20),
        StreamLimitsIT::health, h -> h.getInteger("connections") == 0);
  }


  @Test
  void beyondMaxConnectionsTheNodeAnswers503WithRetryAfter() {
    String token = client.register("ssemax").getString("token");
    try (SseClient first = SseClient.open(vertx, node.port(), token)) {
      assertEquals(200, first.status());
      try (SseClient second = SseClient.open(vertx, node.port(), token)) {
        assertEquals(503, second.status());
        assertEquals("5", second.header("Retry-After"));
        ErrorShape.assertShape(second.header("Content-Type"), second.errorBody());
        assertEquals(new JsonObject("{\"errors\":{\"stream\":[\"is unavailable, retry later\"]}}"),
            new JsonObject(second.errorBody()));
      }
      assertTrue(health().getLong("rejected") >= 1);
    }
    // the slot comes back when the stream closes
    Eventually.value("the slot released after the stream closed", Duration.ofSeconds(5), Duration.ofMillis(20), () -> {
      try (SseClient again = SseClient.open(vertx, node.port(), token)) {
        return again.status();
      }
    }, status -> status == 200);
  }

  @Test
  void aClientThatStopsReadingIsDroppedNotBuffered() throws Exception {
    JsonObject author = client.register("sseslowa");
    JsonObject reader = client.register("sseslow");
    assertEquals(200, client.post("/api/profiles/" + author.getString("username") + "/follow", reader.getString("token"), null)
        .statusCode());
    long authorId = LiveEnvelopes.userId(author.getString("token"));
    long dropped = health().getLong("droppedSlow");
    try (Socket socket = new Socket()) {
      socket.setReceiveBufferSize(4096); // before connect, so the kernel cannot grow it
      socket.connect(new InetSocketAddress("127.0.0.1", node.port()), 5_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nAuthorization: Token "
          + reader.getString("token") + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      readUntilOpen(socket.getInputStream());
      // from here on the client reads nothing
      String title = "x".repeat(64 * 1024);
      int[] published = {0};
      Eventually.until("the slow client dropped", Duration.ofSeconds(60), Duration.ofMillis(20), () -> {
        if (health().getLong("droppedSlow") != dropped) return true;
        assertTrue(published[0] < 2_000, "still not dropped after " + published[0] + " events of 64 KiB");
        for (int i = 0; i < 10; i++) LiveEnvelopes.publish(vertx, LiveEnvelopes.articleCreated(authorId, title));
        published[0] += 10;
        return false;
      });
      System.out.printf("slow client dropped after %d events of 64 KiB (maxBufferBytes=%d)%n", published[0], MAX_BUFFER);
    }
    JsonObject h = health();
    assertEquals(dropped + 1, h.getLong("droppedSlow"));
    assertEquals(0, h.getInteger("connections"), "the dropped stream no longer counts");
    assertEquals(200, client.get("/health/ready").statusCode(), "the node is fine");
    // and serves new streams as before
    try (SseClient s = SseClient.open(vertx, node.port(), reader.getString("token"))) {
      assertEquals(200, s.status());
      JsonObject small = LiveEnvelopes.publish(vertx, LiveEnvelopes.articleCreated(authorId, "small"));
      assertEquals(small.getString("id"), s.nextEvent(Duration.ofSeconds(5)).id());
    }
  }

  @Test
  void aStreamCountsAsOneReadHoweverLongItIsHeld() {
    TestNode.Started limited = TestNode.start(vertx, Map.of("ratelimit.reads", "3/60", "stream.heartbeatMs", "1000"));
    try {
      limited.node().services().limiter().ready().await();
      String token = new Client(vertx, limited.port()).register("sserl").getString("token");
      try (SseClient first = SseClient.open(vertx, limited.port(), token)) {
        assertEquals(200, first.status());
        // held across two heartbeats: still one read
        first.nextFrame(Duration.ofSeconds(5));
        first.nextFrame(Duration.ofSeconds(5));
        first.nextFrame(Duration.ofSeconds(5));
      }
      for (int i = 2; i <= 3; i++) {
        try (SseClient s = SseClient.open(vertx, limited.port(), token)) {
          assertEquals(200, s.status(), "open #" + i + " is within reads=3/60");
        }
      }
      try (SseClient fourth = SseClient.open(vertx, limited.port(), token)) {
        assertEquals(429, fourth.status(), "the fourth open is the fourth read");
        assertTrue(fourth.errorBody().contains("\"rate\""), fourth.errorBody());
      }
    } finally {
      limited.stop();
    }
  }

  /** Reads the response head and the open frame, so we know the stream is live before we stop reading. */
  static void readUntilOpen(InputStream in) throws Exception {
    StringBuilder seen = new StringBuilder();
    Eventually.value("the stream open", Duration.ofSeconds(5), Duration.ZERO, () -> {
      int b = read(in);
      if (b < 0) throw new AssertionError("closed before open: " + seen);
      return seen.append((char) b).toString();
    }, text -> text.contains(": open"));
    assertTrue(seen.toString().startsWith("HTTP/1.1 200"), seen.toString());
  }

  private static int read(InputStream in) {
    try {
      return in.read();
    } catch (java.io.IOException e) {
      throw new AssertionError("the stream failed before it opened", e);
    }
  }
}
