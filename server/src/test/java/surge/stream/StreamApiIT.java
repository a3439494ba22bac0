package surge.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static surge.support.ErrorShape.assertError;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Client;
import surge.support.Eventually;
import surge.support.LiveEnvelopes;
import surge.support.SseClient;
import surge.support.TestNode;

/**
 * {@code GET /api/stream} on one node, with the test playing the relay: it publishes envelopes on the node's
 * event bus ({@link LiveEnvelopes}) and reads what each user's stream gets.
 */
@ExtendWith(VertxExtension.class)
class StreamApiIT {
  static final Duration WAIT = Duration.ofSeconds(5);
  static final Duration QUIET = Duration.ofMillis(300);
  static Vertx vertx;
  static TestNode.Started node;
  static Client client;

  @BeforeAll
  static void start(Vertx v) {
    vertx = v;
    node = TestNode.start(vertx, Map.of("stream.heartbeatMs", "1000"));
    client = new Client(vertx, node.port());
  }

  @AfterAll
  static void stop() {
    node.stop();
  }

  record User(String name, String token, long id) {}

  static User user(String prefix) {
    JsonObject u = client.register(prefix);
    String token = u.getString("token");
    return new User(u.getString("username"), token, LiveEnvelopes.userId(token));
  }

  static void follow(User follower, User followee) {
    HttpResponse<Buffer> r = client.post("/api/profiles/" + followee.name() + "/follow", follower.token(), null);
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }

  static SseClient stream(User user) {
    SseClient s = SseClient.open(vertx, node.port(), user.token());
    assertEquals(200, s.status(), s.errorBody());
    return s;
  }

  static JsonObject publish(JsonObject envelope) {
    return LiveEnvelopes.publish(vertx, envelope);
  }

  static void assertDelivered(JsonObject envelope, SseClient.Frame frame) {
    assertEquals(envelope.getString("id"), frame.id(), "id");
    assertEquals(envelope.getString("type"), frame.event(), "event");
    assertEquals(envelope, frame.json(), "data is the envelope");
  }

  static JsonObject health() {
    HttpResponse<Buffer> r = client.get("/health/stream");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  /** Waits until every hub of the node has taken {@code n} more events than {@code before} counted (for resumes). */
  static void awaitReceived(JsonObject before, int n) {
    long want = before.getLong("received") + (long) n * before.getInteger("hubs");
    Eventually.value("the hubs took the events", Duration.ofSeconds(5), Duration.ofMillis(10), StreamApiIT::health,
        h -> h.getLong("received") >= want);
  }

  static void awaitConnections(int n, String message) {
    Eventually.value(message, Duration.ofSeconds(5), Duration.ofMillis(10), StreamApiIT::health,
        h -> h.getInteger("connections") == n);
  }


  @Test
  void theStreamOpensWithSseHeadersAndARetryLine() {
    User b = user("sseh");
    try (SseClient s = SseClient.open(vertx, node.port(), "/api/v1/stream", b.token(), null)) {
      assertEquals(200, s.status());
      assertTrue(s.header("Content-Type").startsWith("text/event-stream"), s.header("Content-Type"));
      assertEquals("no-store", s.header("Cache-Control"));
      assertEquals("no", s.header("X-Accel-Buffering"));
      assertEquals("chunked", s.header("Transfer-Encoding"));
      assertEquals(null, s.header("ETag"), "no ETag on a stream");
      assertNotNull(s.header("RateLimit"), "a stream passes the limiter like any read");
      SseClient.Frame first = s.nextFrame(WAIT);
      int retry = Integer.parseInt(first.retry());
      assertTrue(retry >= Sse.RETRY_MS && retry < 2 * Sse.RETRY_MS, "retry: line at once, jittered: " + retry);
      assertEquals("open", first.comments());
    }
  }

  @Test
  void followersGetNewArticlesAndOthersDoNot() {
    User a = user("ssea");
    User b = user("sseb");
    User c = user("ssec");
    follow(b, a);
    try (SseClient sb = stream(b); SseClient sc = stream(c)) {
      JsonObject article = publish(LiveEnvelopes.articleCreated(a.id(), "live " + a.name()));
      assertDelivered(article, sb.nextEvent(WAIT));
      // c follows nobody: the next thing c gets is the later event meant for c, not a's article
      JsonObject forC = publish(LiveEnvelopes.followed(b.id(), c.id()));
      assertDelivered(forC, sc.nextEvent(WAIT));
      sb.expectNoEvent(QUIET);
    }
  }

  @Test
  void commentsOnMyArticlesAndNewFollowersReachMe() {
    User b = user("ssecm");
    User x = user("ssecx");
    try (SseClient sb = stream(b); SseClient sx = stream(x)) {
      publish(LiveEnvelopes.commentAdded(b.id(), b.id())); // b on b's own article: not news to b
      JsonObject comment = publish(LiveEnvelopes.commentAdded(x.id(), b.id()));
      assertDelivered(comment, sb.nextEvent(WAIT));
      JsonObject follower = publish(LiveEnvelopes.followed(x.id(), b.id()));
      assertDelivered(follower, sb.nextEvent(WAIT));
      sb.expectNoEvent(QUIET);
      sx.expectNoEvent(Duration.ZERO);
      // what x got meanwhile: nothing (x was the commenter and the follower)
      JsonObject later = publish(LiveEnvelopes.followed(b.id(), x.id()));
      assertDelivered(later, sx.nextEvent(WAIT));
    }
  }

  @Test
  void theStreamsOwnFollowsAndUnfollowsChangeWhatItGets() {
    User b = user("ssef");
    User a = user("ssefa");
    try (SseClient sb = stream(b)) {
      publish(LiveEnvelopes.articleCreated(a.id(), "before the follow"));
      publish(LiveEnvelopes.followed(b.id(), a.id()));
      JsonObject after = publish(LiveEnvelopes.articleCreated(a.id(), "after the follow"));
      assertDelivered(after, sb.nextEvent(WAIT));
      publish(LiveEnvelopes.unfollowed(b.id(), a.id()));
      publish(LiveEnvelopes.articleCreated(a.id(), "after the unfollow"));
      JsonObject marker = publish(LiveEnvelopes.commentAdded(a.id(), b.id()));
      assertDelivered(marker, sb.nextEvent(WAIT));
    }
  }

  @Test
  void lastEventIdReplaysWhatWasMissedInOrderThenGoesLive() {
    User a = user("sser");
    User b = user("sserb");
    follow(b, a);
    String lastSeen;
    try (SseClient sb = stream(b)) {
      JsonObject first = publish(LiveEnvelopes.articleCreated(a.id(), "seen"));
      lastSeen = sb.nextEvent(WAIT).id();
      assertEquals(first.getString("id"), lastSeen);
    }
    JsonObject before = health();
    JsonObject m1 = publish(LiveEnvelopes.articleCreated(a.id(), "missed 1"));
    publish(LiveEnvelopes.articleCreated(b.id(), "not for b")); // b does not follow b
    JsonObject m2 = publish(LiveEnvelopes.commentAdded(a.id(), b.id()));
    JsonObject m3 = publish(LiveEnvelopes.articleCreated(a.id(), "missed 3"));
    awaitReceived(before, 4);
    try (SseClient sb = SseClient.open(vertx, node.port(), "/api/stream", b.token(), lastSeen)) {
      assertDelivered(m1, sb.nextEvent(WAIT));
      assertDelivered(m2, sb.nextEvent(WAIT));
      assertDelivered(m3, sb.nextEvent(WAIT));
      JsonObject live = publish(LiveEnvelopes.articleCreated(a.id(), "live again"));
      assertDelivered(live, sb.nextEvent(WAIT));
    }
    JsonObject after = health();
    assertTrue(after.getLong("resumes") > before.getLong("resumes"));
    assertTrue(after.getLong("replayed") >= before.getLong("replayed") + 3);
  }

  @Test
  void theLastEventIdQueryParameterWorksLikeTheHeader() {
    User a = user("sseq");
    User b = user("sseqb");
    JsonObject before = health();
    JsonObject seen = publish(LiveEnvelopes.followed(a.id(), b.id()));
    JsonObject missed = publish(LiveEnvelopes.commentAdded(a.id(), b.id()));
    awaitReceived(before, 2);
    try (SseClient sb = SseClient.open(vertx, node.port(), "/api/stream?lastEventId=" + seen.getString("id"), b.token(), null)) {
      assertDelivered(missed, sb.nextEvent(WAIT));
    }
  }

  @Test
  void anIdOutsideTheWindowGetsAResetThenLiveEvents() {
    User b = user("ssez");
    User x = user("ssezx");
    long resets = health().getLong("resets");
    try (SseClient sb = SseClient.open(vertx, node.port(), "/api/stream", b.token(), "00000000-0000-0000-0000-000000000000")) {
      SseClient.Frame reset = sb.nextEvent(WAIT);
      assertEquals("reset", reset.event());
      assertEquals("00000000-0000-0000-0000-000000000000", reset.json().getString("lastEventId"));
      JsonObject live = publish(LiveEnvelopes.followed(x.id(), b.id()));
      assertDelivered(live, sb.nextEvent(WAIT));
    }
    assertEquals(resets + 1, health().getLong("resets"));
  }

  @Test
  void heartbeatsArriveOnAnIdleStream() {
    User b = user("ssehb");
    try (SseClient sb = stream(b)) {
      Eventually.value("a heartbeat within 3 s at heartbeatMs=1000", Duration.ofSeconds(3), Duration.ZERO,
          () -> sb.nextFrame(Duration.ofSeconds(3)), frame -> "hb".equals(frame.comments()));
    }
    assertTrue(health().getLong("heartbeats") > 0);
  }

  @Test
  void aStreamNeedsAValidToken() {
    HttpResponse<Buffer> missing = client.get("/api/stream");
    assertError(missing, 401, "token");
    assertEquals(new JsonObject("{\"errors\":{\"token\":[\"is missing\"]}}"), missing.bodyAsJsonObject());
    HttpResponse<Buffer> forged = client.get("/api/v1/stream", "not.a.token");
    assertError(forged, 401, "token");
    assertEquals(new JsonObject("{\"errors\":{\"token\":[\"is invalid\"]}}"), forged.bodyAsJsonObject());
  }

  @Test
  void malformedAndForeignEventsAreIgnoredAndTheStreamGoesOn() {
    User b = user("ssebad");
    User x = user("ssebadx");
    long malformed = health().getLong("malformed");
    try (SseClient sb = stream(b)) {
      vertx.eventBus().publish(surge.events.LiveEvents.ADDRESS, "{not json");
      publish(LiveEnvelopes.envelope("surge.article.favorited", "1", new JsonObject().put("articleId", "1").put("userId", "2")));
      JsonObject good = publish(LiveEnvelopes.followed(x.id(), b.id()));
      assertDelivered(good, sb.nextEvent(WAIT));
    }
    assertTrue(health().getLong("malformed") > malformed);
  }

  @Test
  void streamsEndCleanlyWhenTheNodeStops() {
    TestNode.Started other = TestNode.start(vertx, Map.of());
    User b = user("ssestop");
    SseClient sb = SseClient.open(vertx, other.port(), b.token());
    try {
      assertEquals(200, sb.status());
      sb.nextFrame(WAIT); // open
      other.stop();
      assertEquals("end", sb.awaitEnd(WAIT), "the stream ended with its last chunk");
    } finally {
      sb.close();
    }
  }

  @Test
  void theOperatorViewIsLoopbackOnlyAndCountsConnections() {
    User b = user("ssehealth");
    awaitConnections(0, "streams of other tests still counted");
    try (SseClient sb = stream(b)) {
      sb.nextFrame(WAIT);
      assertEquals(1, health().getInteger("connections"));
    }
    awaitConnections(0, "closed stream still counted");
    JsonObject h = health();
    for (String key : new String[] {"connections", "delivered", "droppedSlow", "resumes", "resets", "hubs"}) {
      assertTrue(h.containsKey(key), key);
    }
  }
}
