package surge.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import surge.support.Client;
import surge.support.LiveEnvelopes;
import surge.support.SseClient;
import surge.support.TestNode;

/**
 * A fan-out larger than one slice ({@link StreamHub#SLICE}): one HTTP verticle, so every stream is on the same
 * hub and an article for all of them takes several turns of its loop; events queued behind it keep their order.
 */
@ExtendWith(VertxExtension.class)
class StreamFanoutIT {
  static Vertx vertx;
  static TestNode.Started node;
  static Client client;

  @BeforeAll
  static void start(Vertx v) {
    vertx = v;
    node = TestNode.start(vertx, Map.of("http.instances", "1"));
    client = new Client(vertx, node.port());
  }

  @AfterAll
  static void stop() {
    node.stop();
  }

  @Test
  void everyStreamGetsEveryEventOnceInOrderAcrossSlices() {
    JsonObject author = client.register("ssefan");
    JsonObject reader = client.register("ssefanr");
    String token = reader.getString("token");
    assertEquals(200, client.post("/api/profiles/" + author.getString("username") + "/follow", token, null).statusCode());
    long authorId = LiveEnvelopes.userId(author.getString("token"));
    long readerId = LiveEnvelopes.userId(token);
    int n = 2 * StreamHub.SLICE + 50;
    List<SseClient> streams = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) streams.add(SseClient.open(vertx, node.port(), token));
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        ids.add(LiveEnvelopes.publish(vertx, LiveEnvelopes.articleCreated(authorId, "fan " + i)).getString("id"));
        ids.add(LiveEnvelopes.publish(vertx, LiveEnvelopes.commentAdded(authorId, readerId)).getString("id"));
      }
      for (int s = 0; s < n; s++) {
        SseClient stream = streams.get(s);
        for (String id : ids) assertEquals(id, stream.nextEvent(Duration.ofSeconds(10)).id(), "stream #" + s);
        stream.expectNoEvent(Duration.ZERO);
      }
    } finally {
      streams.forEach(SseClient::close);
    }
  }
}
